"""Canonicalization that runs before every detector.

Detectors scan ``canonicalize(text).segments``: the canonical form of the text (invisible characters removed, NFKC,
combining marks stripped from Latin/Greek/Cyrillic letters, de-spaced words joined, look-alike letters folded) and
every payload decoded from it (tag-character text, base64, hex, percent-encoding, ROT13), recursively and within
bounds. ``Segment.to_original`` maps any span of a segment back to a span of the original text, which is never
changed here: what goes upstream is the caller's business.

Layout, in pipeline order: ``invisible`` (pass 1: invisible characters), ``normalize`` (pass 2: NFKC and marks),
``fold`` (words: de-spacing, homoglyphs), ``encodings`` (decoders), ``view`` (public types, the walk over decoded
payloads). Support: ``tables`` (character facts), ``patterns`` (regexes built from them), ``offsets`` (span maps).
"""

from wardgate.scanners.canonical.view import CanonicalView, Origin, Segment, canonicalize

__all__ = ["CanonicalView", "Origin", "Segment", "canonicalize"]
