"""TRON addresses as wallets print them: base58check over ``0x41`` + a 20-byte account id.

Written out here (a dozen lines) rather than pulled in as a dependency, so the demo can
hand out addresses that pass the same checksum test a real extractor applies.
"""

from __future__ import annotations

import hashlib
import random

_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_INDEX = {ch: i for i, ch in enumerate(_ALPHABET)}
_TRON_PREFIX = b"\x41"


def _checksum(payload: bytes) -> bytes:
    return hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4]


def b58encode(data: bytes) -> str:
    """Bitcoin-alphabet base58; each leading zero byte becomes a leading ``1``."""
    number = int.from_bytes(data, "big")
    digits: list[str] = []
    while number:
        number, rest = divmod(number, 58)
        digits.append(_ALPHABET[rest])
    zeros = len(data) - len(data.lstrip(b"\0"))
    return "1" * zeros + "".join(reversed(digits))


def b58decode(text: str) -> bytes:
    """Inverse of :func:`b58encode`; raises ``ValueError`` on a character outside the alphabet."""
    number = 0
    for ch in text:
        if ch not in _INDEX:
            raise ValueError(f"not a base58 character: {ch!r}")
        number = number * 58 + _INDEX[ch]
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    zeros = len(text) - len(text.lstrip("1"))
    return b"\0" * zeros + body


def tron_address(rng: random.Random) -> str:
    """A well-formed (checksum-valid) TRON address drawn from ``rng``; it belongs to no one."""
    payload = _TRON_PREFIX + rng.getrandbits(160).to_bytes(20, "big")
    return b58encode(payload + _checksum(payload))


def is_tron_address(text: str) -> bool:
    """True when ``text`` is 34 base58 characters decoding to 0x41 + 20 bytes + checksum."""
    if len(text) != 34 or not text.startswith("T"):
        return False
    try:
        raw = b58decode(text)
    except ValueError:
        return False
    if len(raw) != 25 or raw[:1] != _TRON_PREFIX:
        return False
    return _checksum(raw[:21]) == raw[21:]
