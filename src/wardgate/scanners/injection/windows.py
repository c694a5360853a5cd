"""Sliding windows over a whole text: every character is scanned, never only the head and tail."""

from __future__ import annotations

WINDOW_SIZE = 512
WINDOW_STEP = 256


def windows(length: int, size: int = WINDOW_SIZE, step: int = WINDOW_STEP) -> list[tuple[int, int]]:
    """``(start, end)`` spans of ``size`` characters every ``step`` characters, covering ``[0, length)``.

    A text no longer than ``size`` is one window. Otherwise windows start at ``0, step, 2*step, ...`` and the last one
    is aligned to the end of the text, so every character lies in at least one full-size window and every substring
    of at most ``size - step`` characters lies wholly inside one.
    """
    if size <= 0 or not 0 < step <= size:
        raise ValueError("window size and step must satisfy 0 < step <= size")
    if length <= size:
        return [(0, length)]
    spans = [(start, start + size) for start in range(0, length - size, step)]
    spans.append((length - size, length))
    return spans
