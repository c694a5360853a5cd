"""Logs (and, later, metrics and traces). Nothing here ever records prompt text or credentials."""
