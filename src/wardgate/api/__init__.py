"""The OpenAI-compatible surface: one module per endpoint."""
