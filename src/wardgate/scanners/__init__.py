"""Guardrail scanners: detection only. Each returns typed findings on one score scale; transformation is separate."""
