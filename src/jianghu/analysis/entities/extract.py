"""The one entry point: every indicator in a message, overlaps resolved.

Finders run only when their trigger characters are present (no '@' and no 't.me' → no
Telegram work; no ASCII digit → no phone, card or price work), because this runs on every
ingested message. Candidates are then resolved in priority order: a span claimed by a
valid entity cannot be claimed again, so a card number is never also a phone, and a
phone is never read out of an ID number, a price or a quantity. Two exceptions: ``usdt``
mentions may overlap anything (the USDT of "500USDT" is both), and a URL claims its span
softly, so a wallet or hash inside a URL is still reported (but not its domain).
"""

from __future__ import annotations

from jianghu.analysis.entities import cards, contacts, crypto, ids, money, network, phones
from jianghu.analysis.entities.model import ENTITY_TYPES, Entity
from jianghu.analysis.entities.scan import Scan
from jianghu.analysis.entities.telegram import find_telegram

_ORDER = (
    "cn_id", "card_number", "card_bin",
    "eth_address", "tron_address", "btc_address", "ltc_address", "xmr_address",
    "sha256", "sha1", "md5",
    "telegram_invite", "telegram_handle", "onion", "url",
    "contact", "qq", "wechat", "email",
    "cve", "ipv6", "ipv4", "domain",
    "price", "quantity", "phone", "usdt",
)  # fmt: skip
PRIORITY = {t: i for i, t in enumerate(_ORDER)}
assert set(_ORDER) == set(ENTITY_TYPES)
_SOFT_BLOCKERS = frozenset({"url"})
_PASS_THROUGH_URL = frozenset(
    {"eth_address", "tron_address", "btc_address", "ltc_address", "xmr_address",
     "sha256", "sha1", "md5", "usdt"}
)  # fmt: skip


def extract_entities(text: str, include_invalid: bool = False) -> list[Entity]:
    """Every indicator in ``text``, ordered by position; invalid ones only on request."""
    if not text:
        return []
    scan = Scan(text)
    found: list[Entity] = []
    _candidates(scan, found)
    return _resolve(found, include_invalid)


def _candidates(scan: Scan, found: list[Entity]) -> None:
    norm, low = scan.norm, scan.low
    if scan.has_digit:
        found += ids.find_cn_ids(scan)
        found += cards.find_cards(scan)
    for m in crypto.LONG_TOKEN.finditer(norm):
        token, start = m.group(), m.start()
        ent = crypto.wallet_entity(scan, token, start)
        if ent is None or not ent.valid:  # a hex digest can look like Base58
            ent = network.hash_entity(scan, token, start) or ent
        if ent is not None:
            found.append(ent)
    if "@" in norm or "t.me" in low or "telegram.me" in low or "tg://" in low or ".dog/" in low:
        found += find_telegram(scan)
    has_dot = "." in norm or "dot" in low  # [.], (.) and {.} hold a "."; [dot] and (dot) a "dot"
    if has_dot and ".onion" in low:
        found += network.find_onions(scan)
    if "//" in norm:
        found += network.find_urls(scan)
    if "@" in norm:
        found += contacts.find_emails(scan)
    if contacts.has_cue(scan):
        found += contacts.find_cued(scan)
    if "cve" in low:
        found += network.find_cves(scan)
    if scan.has_digit and (has_dot or norm.count(":") >= 2):
        found += network.find_ips(scan)
    if has_dot:
        found += network.find_domains(scan)
    if scan.has_digit:
        found += money.find_prices(scan)
        found += money.find_quantities(scan)
        found += phones.find_phones(scan)
    if "usdt" in low or "20" in norm or "泰达" in norm:
        found += crypto.find_usdt(scan)


def _overlaps(claims: list[tuple[int, int, bool]], ent: Entity) -> bool:
    for start, end, soft in claims:
        if ent.start < end and start < ent.end:
            if soft and ent.type in _PASS_THROUGH_URL:
                continue
            return True
    return False


def _resolve(found: list[Entity], include_invalid: bool) -> list[Entity]:
    if not include_invalid:  # an invalid entity claims nothing: dropping it first is the same
        found = [ent for ent in found if ent.valid]
    if len(found) < 2:  # most messages: nothing to order, nothing to overlap
        return found
    found.sort(key=lambda e: (not e.valid, PRIORITY[e.type], e.start, e.start - e.end))
    claims: list[tuple[int, int, bool]] = []
    kept: list[Entity] = []
    seen: set[tuple[str, int, int]] = set()
    for ent in found:
        key = (ent.type, ent.start, ent.end)
        if key in seen:
            continue
        if claims and ent.type != "usdt" and _overlaps(claims, ent):
            continue
        seen.add(key)
        kept.append(ent)
        if ent.type != "usdt" and ent.valid:
            claims.append((ent.start, ent.end, ent.type in _SOFT_BLOCKERS))
    kept.sort(key=lambda e: (e.start, PRIORITY[e.type]))
    return kept
