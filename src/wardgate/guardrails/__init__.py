"""Guardrails on the request path: extract texts, scan them, decide, redact/restore, guard streams."""
