"""Cryptocurrency addresses, each validated by its own checksum, and USDT mentions.

Addresses are case-sensitive (Base58, mixed-case EIP-55) and are read from the original
text. A long alphanumeric token is classified by its shape, then checked:

* BTC: Base58Check with version 0x00 (P2PKH) or 0x05 (P2SH), or segwit ``bc1``
  (Bech32 for v0, Bech32m for v1+, BIP-173/BIP-350);
* LTC: Base58Check version 0x30 (L) or 0x32 (M), or segwit ``ltc1``;
* TRON: Base58Check, 21-byte payload starting 0x41;
* ETH: ``0x`` + 40 hex digits, EIP-55 checksum enforced when the case is mixed;
* XMR: Monero block Base58, network byte 18/19/42, Keccak-256 checksum.
"""

from __future__ import annotations

import re

from jianghu.analysis.entities.checksums import (
    b58check_payload,
    eip55,
    keccak256,
    segwit_decode,
    xmr_b58decode,
)
from jianghu.analysis.entities.model import Entity
from jianghu.analysis.entities.scan import Scan, first_not_after

# A whole run of 25 to 110 letters and digits (first_not_after: for the regex skip-ahead).
LONG_TOKEN = re.compile(
    first_not_after("[0-9A-Za-z]", "[0-9A-Za-z]") + "[0-9A-Za-z]{24,109}(?![0-9A-Za-z])"
)
# USDT with an optional chain ("usdt-trc20", "泰达币（erc20）") or a chain with an optional
# USDT ("trc20 usdt"), not glued to a word on the left. One branch per first character
# (u, 泰, t, e, b), each starting with it, so the regex engine can skip ahead to those
# characters (see scan.first_not_after); the chain is looked up in the match afterwards.
_CHAIN = re.compile("trc|erc|bep")
_WITH_CHAIN = r"(?:\s?[-_(（]?\s?(?:trc|erc|bep)[-\s]?20[)）]?)?(?![a-z0-9])"
_WITH_USDT = r"[-\s]?20(?:\s?[-_]?\s?usdt)?(?![a-z0-9])"
_USDT = re.compile(
    rf"{first_not_after('u', '[a-z]')}sdt{_WITH_CHAIN}"
    rf"|{first_not_after('泰', '[a-z]')}达币{_WITH_CHAIN}"
    rf"|{first_not_after('t', '[a-z]')}rc{_WITH_USDT}"
    rf"|{first_not_after('e', '[a-z]')}rc{_WITH_USDT}"
    rf"|{first_not_after('b', '[a-z]')}ep{_WITH_USDT}"
)
_B58 = frozenset("123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz")
_HEX = frozenset("0123456789abcdefABCDEF")
_XMR_NETS = {18: "standard", 19: "integrated", 42: "subaddress"}


def wallet_entity(scan: Scan, token: str, start: int) -> Entity | None:
    """The address a long token is, valid or not, or None when it has no address shape."""
    kind, valid, normalized, attrs = _classify(token)
    if kind is None:
        return None
    end = start + len(token)
    return Entity(kind, scan.text[start:end], normalized, start, end, valid, attrs)


def _classify(token: str) -> tuple[str | None, bool, str, dict[str, str]]:
    first, n = token[0], len(token)
    low = token.lower()
    if low.startswith("0x") and n == 42 and _HEX.issuperset(token[2:]):
        return _eth(token)
    if low.startswith("bc1") and n in (42, 62):
        ok = segwit_decode("bc", token) is not None
        return "btc_address", ok, low, {"chain": "bitcoin", "format": "bech32"}
    if low.startswith("ltc1") and n in (43, 63):
        ok = segwit_decode("ltc", token) is not None
        return "ltc_address", ok, low, {"chain": "litecoin", "format": "bech32"}
    if not _B58.issuperset(token):
        return None, False, "", {}
    if first == "T" and n == 34:
        payload = b58check_payload(token)
        ok = payload is not None and len(payload) == 21 and payload[0] == 0x41
        return "tron_address", ok, token, {"chain": "tron"}
    if first in "13" and 26 <= n <= 35:
        payload = b58check_payload(token)
        ok = payload is not None and len(payload) == 21 and payload[0] in (0, 5)
        return "btc_address", ok, token, {"chain": "bitcoin", "format": "base58"}
    if first in "LM" and 26 <= n <= 35:
        payload = b58check_payload(token)
        ok = payload is not None and len(payload) == 21 and payload[0] in (0x30, 0x32)
        return "ltc_address", ok, token, {"chain": "litecoin", "format": "base58"}
    if first in "48" and n in (95, 106):
        net = _xmr_net(token)
        return "xmr_address", net is not None, token, {"chain": "monero", "kind": net or ""}
    return None, False, "", {}


def _eth(token: str) -> tuple[str | None, bool, str, dict[str, str]]:
    body = token[2:]
    checksummed = eip55(body)
    mixed = body.lower() != body and body.upper() != body
    ok = not mixed or checksummed[2:] == body
    return "eth_address", ok, checksummed, {"chain": "ethereum"}


def _xmr_net(token: str) -> str | None:
    raw = xmr_b58decode(token)
    if raw is None or len(raw) not in (69, 77) or raw[0] not in _XMR_NETS:
        return None
    if keccak256(raw[:-4])[:4] != raw[-4:]:
        return None
    return _XMR_NETS[raw[0]]


def find_usdt(scan: Scan) -> list[Entity]:
    out: list[Entity] = []
    for m in _USDT.finditer(scan.low):
        start, end = m.span()
        # The only trc/erc/bep a match can hold is its chain.
        named = _CHAIN.search(m.group())
        chain = named.group().upper() if named else ""
        attrs = {"chain": chain + "20"} if chain else {}
        normalized = "USDT-" + attrs["chain"] if chain else "USDT"
        out.append(Entity("usdt", scan.text[start:end], normalized, start, end, True, attrs))
    return out
