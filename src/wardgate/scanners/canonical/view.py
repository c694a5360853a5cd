"""The public result types and :func:`canonicalize`, which ties the passes together and walks decoded payloads."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from wardgate.scanners.base import Finding
from wardgate.scanners.canonical import encodings, fold, invisible, normalize
from wardgate.scanners.canonical.offsets import OffsetMap

Origin = Literal["original", "hidden"] | encodings.Encoding
HOMOGLYPH_SCORE = 0.6
DESPACED_SCORE = 0.5
LIMIT_SCORE = 0.5
LIMIT_KIND = "encoding.limit"
"""A decodable payload left undecoded because ``max_segments`` or ``max_decoded_chars`` ran out (fail closed)."""


@dataclass(frozen=True, slots=True)
class Segment:
    """One text for detectors to scan: the canonical form of the input, or of a payload decoded from it."""

    text: str
    origin: Origin
    depth: int
    _offsets: OffsetMap = field(repr=False, compare=False)

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """The smallest span of the original text that ``text[start:end]`` came from.

        For a decoded segment that is always the whole encoded run (or tag-character run) in the original.
        """
        return self._offsets.span(start, end)


@dataclass(frozen=True, slots=True)
class CanonicalView:
    original: str
    segments: tuple[Segment, ...]
    """``segments[0]`` is the canonical form of the whole text; decoded payloads follow, shallowest first."""
    findings: tuple[Finding, ...]
    """What canonicalization itself found (hidden characters, encodings), spans in the original, sorted. At most
    64 per kind: past that, the last finding of a kind covers all the later ones."""


@dataclass(frozen=True, slots=True)
class _Form:
    """A text after every canonical pass: ``plain`` is before de-spacing (where encodings are looked for)."""

    text: str
    offsets: OffsetMap
    plain: str
    plain_offsets: OffsetMap
    findings: tuple[Finding, ...]
    hidden: tuple[invisible.Hidden, ...]


def _canonical_form(source: str) -> _Form:
    stripped = invisible.strip_invisible(source)
    base = normalize.normalize(stripped.text)
    plain_offsets = base.offsets.compose(stripped.offsets)
    findings = list(stripped.findings)
    text, offsets, runs = fold.despace(base.text, plain_offsets)
    findings += [Finding("unicode.despaced", *plain_offsets.span(s, e), DESPACED_SCORE) for s, e in runs]
    text, words = fold.fold_homoglyphs(text)
    findings += [Finding("unicode.homoglyph", *offsets.span(s, e), HOMOGLYPH_SCORE) for s, e in words]
    return _Form(text, offsets, base.text, plain_offsets, tuple(findings), stripped.hidden)


@dataclass(frozen=True, slots=True)
class _Payload:
    origin: Origin
    text: str
    span: tuple[int, int]  # in the original
    finding: Finding | None


@dataclass(slots=True)
class _Walk:
    max_depth: int
    max_segments: int
    decoded_left: int
    segments: list[Segment]
    findings: list[Finding]
    queue: deque[tuple[_Form, int, tuple[int, int] | None]] = field(default_factory=deque)

    def add(self, payload: _Payload, depth: int) -> None:
        if payload.finding is not None:
            self.findings.append(payload.finding)
        if depth > self.max_depth:
            return
        if len(self.segments) >= self.max_segments or len(payload.text) > self.decoded_left:
            self.findings.append(Finding(LIMIT_KIND, *payload.span, LIMIT_SCORE))
            return
        self.decoded_left -= len(payload.text)
        form = _canonical_form(payload.text)
        self.segments.append(
            Segment(form.text, payload.origin, depth, OffsetMap.constant(*payload.span, len(form.text)))
        )
        self.findings += [Finding(f.kind, *payload.span, f.score) for f in form.findings]
        self.queue.append((form, depth, payload.span))


def canonicalize(
    text: str, *, max_depth: int = 3, max_segments: int = 64, max_decoded_chars: int = 1_000_000
) -> CanonicalView:
    """Canonical text plus decoded payloads for detectors, each mappable to spans of ``text``; ``text`` is untouched.

    ``max_depth`` bounds nested decoding (0: decode nothing), ``max_segments`` the number of segments including the
    top level, ``max_decoded_chars`` the total length of decoded payloads. A payload that would pass a limit other
    than depth is reported as ``encoding.limit`` instead of being silently skipped.
    """
    if max_depth < 0 or max_segments < 1 or max_decoded_chars < 0:
        raise ValueError("max_depth and max_decoded_chars must be >= 0, max_segments >= 1")
    top = _canonical_form(text)
    walk = _Walk(max_depth, max_segments, max_decoded_chars, [Segment(top.text, "original", 0, top.offsets)], [])
    walk.findings += top.findings
    walk.queue.append((top, 0, None))
    while walk.queue:
        form, depth, span = walk.queue.popleft()
        for payload in _payloads(form, span):
            walk.add(payload, depth + 1)
    return CanonicalView(text, tuple(walk.segments), _bounded(walk.findings))


def _bounded(findings: list[Finding]) -> tuple[Finding, ...]:
    """Deduplicated and sorted; past ``MAX_FINDINGS_PER_KIND`` of one kind, the last finding covers the rest."""
    by_kind: dict[str, list[Finding]] = {}
    for finding in sorted(set(findings), key=_position):
        by_kind.setdefault(finding.kind, []).append(finding)
    bounded: list[Finding] = []
    cap = invisible.MAX_FINDINGS_PER_KIND
    for kind, items in by_kind.items():
        if len(items) > cap:
            rest = items[cap - 1 :]
            last = Finding(kind, rest[0].start, max(f.end for f in rest), max(f.score for f in rest))
            items = [*items[: cap - 1], last]
        bounded += items
    return tuple(sorted(bounded, key=_position))


def _position(finding: Finding) -> tuple[int, int, str]:
    return (finding.start, finding.end, finding.kind)


def _payloads(form: _Form, span: tuple[int, int] | None) -> list[_Payload]:
    """Hidden and encoded texts of one form, spans mapped to the original (``span``: the form's own, if decoded)."""
    locate_source: Callable[[int, int], tuple[int, int]] = (
        (lambda s, e: (s, e)) if span is None else (lambda s, e: span)
    )
    locate_plain = form.plain_offsets.span if span is None else (lambda s, e: span)
    payloads = [_Payload("hidden", h.text, locate_source(h.start, h.end), None) for h in form.hidden]
    for item in encodings.find_encoded(form.plain):
        where = locate_plain(item.start, item.end)
        payloads.append(_Payload(item.origin, item.text, where, Finding(item.kind, *where, item.score)))
    return payloads
