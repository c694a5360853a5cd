"""Zero-trust identity: API keys (keyed hashes), roles, optional JWT/OIDC."""
