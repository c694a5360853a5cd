"""Keccak-256, the hash Ethereum's EIP-55 address checksum is defined with.

Written by hand because no installed library offers it: ``hashlib.sha3_256`` is the standardised SHA3, which pads
differently (``0x06`` where Keccak pads ``0x01``) and so hashes to other values. The permutation below is the
reference Keccak-f[1600]; :func:`keccak` with ``pad=0x06`` reproduces ``hashlib.sha3_256``, which the tests use to
check it. It hashes 40-character addresses, so pure Python is fast enough.
"""

from __future__ import annotations

_MASK = (1 << 64) - 1
_RATE = 136  # bytes: 1600 - 2 * 256 bits

_ROUND_CONSTANTS = (
    0x0000000000000001, 0x0000000000008082, 0x800000000000808A, 0x8000000080008000,
    0x000000000000808B, 0x0000000080000001, 0x8000000080008081, 0x8000000000008009,
    0x000000000000008A, 0x0000000000000088, 0x0000000080008009, 0x000000008000000A,
    0x000000008000808B, 0x800000000000008B, 0x8000000000008089, 0x8000000000008003,
    0x8000000000008002, 0x8000000000000080, 0x000000000000800A, 0x800000008000000A,
    0x8000000080008081, 0x8000000000008080, 0x0000000080000001, 0x8000000080008008,
)  # fmt: skip

# Rotation offsets r[x][y] for lane (x, y); lanes are stored at index x + 5 * y.
_ROTATIONS = (
    (0, 36, 3, 41, 18),
    (1, 44, 10, 45, 2),
    (62, 6, 43, 15, 61),
    (28, 55, 25, 21, 56),
    (27, 20, 39, 8, 14),
)


def _rotl(value: int, shift: int) -> int:
    return ((value << shift) | (value >> (64 - shift))) & _MASK if shift else value


def _permute(lanes: list[int]) -> None:
    for constant in _ROUND_CONSTANTS:
        # theta
        parity = [lanes[x] ^ lanes[x + 5] ^ lanes[x + 10] ^ lanes[x + 15] ^ lanes[x + 20] for x in range(5)]
        for x in range(5):
            d = parity[(x - 1) % 5] ^ _rotl(parity[(x + 1) % 5], 1)
            for y in range(0, 25, 5):
                lanes[x + y] ^= d
        # rho and pi: B[y, 2x + 3y] = rot(A[x, y], r[x][y])
        moved = [0] * 25
        for x in range(5):
            for y in range(5):
                moved[y + 5 * ((2 * x + 3 * y) % 5)] = _rotl(lanes[x + 5 * y], _ROTATIONS[x][y])
        # chi
        for y in range(0, 25, 5):
            row = moved[y : y + 5]
            for x in range(5):
                lanes[x + y] = row[x] ^ (~row[(x + 1) % 5] & row[(x + 2) % 5])
        # iota
        lanes[0] ^= constant


def keccak(data: bytes, pad: int = 0x01) -> bytes:
    """The 32-byte Keccak-256 digest of ``data`` (``pad=0x06`` gives SHA3-256)."""
    message = bytearray(data)
    message.append(pad)
    message.extend(b"\x00" * (-len(message) % _RATE))
    message[-1] |= 0x80
    lanes = [0] * 25
    for offset in range(0, len(message), _RATE):
        block = message[offset : offset + _RATE]
        for i in range(_RATE // 8):
            lanes[i] ^= int.from_bytes(block[8 * i : 8 * i + 8], "little")
        _permute(lanes)
    return b"".join(lane.to_bytes(8, "little") for lane in lanes[:4])
