"""Offset maps: where each canonical character came from in the text it was derived from.

A map is a sorted list of *pieces*. A piece covers a run of canonical characters and is either

* **linear** — canonical ``[c, c + n)`` came char-for-char from source ``[o, o + n)``, or
* **block** — every canonical character in the piece came from the whole source span ``[o, e)`` (a ligature that
  NFKC split into several characters, a base letter with the combining marks stripped from it, a decoded payload).

``span(start, end)`` returns the smallest source span that covers everything the canonical span came from. The
common case (plain ASCII) is one linear piece, so a map costs memory in proportion to the number of edits, not to the
length of the text.
"""

from __future__ import annotations

from bisect import bisect_right
from itertools import accumulate


class OffsetMap:
    """Immutable canonical-index -> source-span map; build one with :class:`MapBuilder`, :meth:`identity` or
    :meth:`constant`."""

    __slots__ = ("_const", "_cstarts", "_length", "_linear", "_oends", "_ostarts")

    def __init__(
        self,
        length: int,
        pieces: tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...], tuple[bool, ...]],
        const: tuple[int, int] | None = None,
    ) -> None:
        self._length = length
        self._cstarts, self._ostarts, self._oends, self._linear = pieces
        self._const = const

    @classmethod
    def constant(cls, start: int, end: int, length: int) -> OffsetMap:
        """Every span of a text of ``length`` characters maps to the one source span ``[start, end)``."""
        return cls(length, ((), (), (), ()), (start, end))

    @classmethod
    def from_kept(cls, kept: list[tuple[int, int]]) -> OffsetMap:
        """The map of a text made by concatenating the sorted, non-adjacent, non-empty source spans ``kept``."""
        cstarts = list(accumulate((end - start for start, end in kept), initial=0))
        length = cstarts.pop()
        pieces = (tuple(cstarts), tuple(s for s, _ in kept), tuple(e for _, e in kept), (True,) * len(kept))
        return cls(length, pieces)

    @classmethod
    def identity(cls, length: int) -> OffsetMap:
        builder = MapBuilder()
        builder.linear(0, length)
        return builder.build()

    @property
    def length(self) -> int:
        return self._length

    @property
    def is_identity(self) -> bool:
        if self._const is not None:
            return False
        if not self._cstarts:
            return self._length == 0
        return len(self._cstarts) == 1 and self._linear[0] and self._ostarts[0] == 0

    def compose(self, inner: OffsetMap) -> OffsetMap:
        """``self`` maps this text to an intermediate text that ``inner`` maps to the source: chain the two."""
        if inner.is_identity:
            return self
        if self.is_identity and self._length == inner.length:
            return inner
        if self._const is not None:
            start, end = self._const
            return OffsetMap.constant(*inner.span(start, end), self._length)
        builder = MapBuilder()
        for i, cstart in enumerate(self._cstarts):
            cend = self._cstarts[i + 1] if i + 1 < len(self._cstarts) else self._length
            ostart, oend = self._ostarts[i], self._oends[i]
            if self._linear[i]:
                inner.copy_into(builder, ostart, oend)
            else:
                builder.block(*inner.span(ostart, oend), cend - cstart)
        return builder.build()

    def span(self, start: int, end: int) -> tuple[int, int]:
        if not 0 <= start <= end <= self._length:
            raise ValueError(f"span ({start}, {end}) outside a text of length {self._length}")
        if self._const is not None:
            return self._const
        if not self._cstarts:
            return (0, 0)
        if start == end:
            point = self._point_start(start) if start < self._length else self._point_end(self._length - 1)
            return (point, point)
        return (self._point_start(start), self._point_end(end - 1))

    def _point_start(self, index: int) -> int:
        i = bisect_right(self._cstarts, index) - 1
        if self._linear[i]:
            return self._ostarts[i] + index - self._cstarts[i]
        return self._ostarts[i]

    def _point_end(self, index: int) -> int:
        i = bisect_right(self._cstarts, index) - 1
        if self._linear[i]:
            return self._ostarts[i] + index - self._cstarts[i] + 1
        return self._oends[i]

    def linear_origin(self, start: int, end: int) -> int | None:
        """The source index of ``start`` if ``[start, end)`` lies inside one linear piece, else ``None``."""
        if self._const is not None or start >= end:
            return None
        i = bisect_right(self._cstarts, start) - 1
        piece_end = self._cstarts[i + 1] if i + 1 < len(self._cstarts) else self._length
        return self._ostarts[i] + start - self._cstarts[i] if self._linear[i] and end <= piece_end else None

    def copy_into(self, builder: MapBuilder, start: int, end: int) -> None:
        """Append the mapping of canonical ``[start, end)`` to ``builder`` (used to compose a later edit pass)."""
        if start >= end:
            return
        if self._const is not None:
            builder.block(self._const[0], self._const[1], end - start)
            return
        i = bisect_right(self._cstarts, start) - 1
        while start < end:
            piece_end = self._cstarts[i + 1] if i + 1 < len(self._cstarts) else self._length
            stop = min(end, piece_end)
            if self._linear[i]:
                builder.linear(self._ostarts[i] + start - self._cstarts[i], stop - start)
            else:
                builder.block(self._ostarts[i], self._oends[i], stop - start)
            start = stop
            i += 1


class MapBuilder:
    """Accumulates pieces left to right; adjacent linear pieces are merged."""

    __slots__ = ("_cstarts", "_length", "_linear", "_oends", "_ostarts")

    def __init__(self) -> None:
        self._cstarts: list[int] = []
        self._ostarts: list[int] = []
        self._oends: list[int] = []
        self._linear: list[bool] = []
        self._length = 0

    def linear(self, source_start: int, count: int) -> None:
        """``count`` canonical characters copied one-for-one from ``source_start``."""
        if count <= 0:
            return
        if self._linear and self._linear[-1] and self._oends[-1] == source_start:
            self._oends[-1] += count
        else:
            self._append(source_start, source_start + count, linear=True)
        self._length += count

    def strided(self, source_start: int, count: int, step: int) -> None:
        """``count`` canonical characters copied from every ``step``-th source character (a de-spaced word)."""
        if count <= 0:
            return
        self.linear(source_start, 1)
        rest = count - 1
        first = source_start + step
        self._cstarts.extend(range(self._length, self._length + rest))
        self._ostarts.extend(range(first, first + rest * step, step))
        self._oends.extend(range(first + 1, first + 1 + rest * step, step))
        self._linear.extend([True] * rest)
        self._length += rest

    def block(self, source_start: int, source_end: int, count: int) -> None:
        """``count`` canonical characters that all came from source ``[source_start, source_end)``."""
        if count <= 0:
            return
        if count == 1 and source_end - source_start == 1:
            self.linear(source_start, 1)
            return
        self._append(source_start, source_end, linear=False)
        self._length += count

    def _append(self, source_start: int, source_end: int, *, linear: bool) -> None:
        self._cstarts.append(self._length)
        self._ostarts.append(source_start)
        self._oends.append(source_end)
        self._linear.append(linear)

    def build(self) -> OffsetMap:
        pieces = (tuple(self._cstarts), tuple(self._ostarts), tuple(self._oends), tuple(self._linear))
        return OffsetMap(self._length, pieces)
