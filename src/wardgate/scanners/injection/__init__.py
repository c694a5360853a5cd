"""Offline prompt-injection and jailbreak detection.

A rules-then-model cascade (:mod:`.rules`, :mod:`.model`) over sliding windows of the whole text (:mod:`.windows`),
with features from :mod:`.features`. Runs on numpy alone; the model file ships inside this package and loads on first
use, never at import time. Training lives in ``training/injection/`` (see its ``MODEL_CARD.md``).
"""

from wardgate.scanners.injection.scanner import InjectionScanner

__all__ = ["InjectionScanner"]
