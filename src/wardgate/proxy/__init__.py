"""The upstream leg: connection pools, header hygiene, forwarding, SSE relay."""
