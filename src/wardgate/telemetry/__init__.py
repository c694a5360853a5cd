"""Logs and Prometheus metrics. Nothing here ever records prompt text or credentials."""
