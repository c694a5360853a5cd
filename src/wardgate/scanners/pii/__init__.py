"""PII detection: spans of personal data, with Presidio's entity names, validated by checksum where one exists.

One module per recognizer family (:mod:`.email`, :mod:`.phone`, :mod:`.financial`, :mod:`.crypto`,
:mod:`.network`, :mod:`.national_ids`, the optional :mod:`.ner`), listed in :mod:`.registry` and run by
:class:`PiiScanner`.
"""

from wardgate.scanners.pii.scanner import DEFAULT_MIN_SCORE, PiiScanner

__all__ = ["DEFAULT_MIN_SCORE", "PiiScanner"]
