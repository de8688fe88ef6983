"""Which MISP object or attribute each extracted indicator becomes.

Pure mapping, no PyMISP: an :class:`Indicator` names the object template (or the plain
attribute type) and the values to put in it. Victims' data follows DESIGN: card numbers
are masked unless ``full_cards``, phone numbers are exported only with ``reveal`` (a
masked number matches nothing), Chinese ID numbers never. The key of an indicator, which
its uuid is derived from, holds only what the export shows: a uuid5 of a full card number
could be brute-forced back from its masked form.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from jianghu.analysis.entities import Entity, mask
from jianghu.analysis.gloss import entity_label
from jianghu.store.base import StoredEntity

# Templates that carry when an indicator was first and last seen.
SEEN_TEMPLATES = frozenset({"coin-address", "url", "domain-ip"})

# Wallet type -> (coin-address relation, symbol). MISP's ``btc`` and ``xmr`` attribute
# types are checked against those formats, so other chains use ``address-crypto``.
_WALLETS = {
    "btc_address": ("address", "BTC"),
    "xmr_address": ("address-xmr", "XMR"),
    "eth_address": ("address-crypto", "ETH"),
    "tron_address": ("address-crypto", "TRX"),
    "ltc_address": ("address-crypto", "LTC"),
}

# Indicators MISP has no object for: (attribute type, category). QQ and WeChat ids are not
# XMPP (jabber-id) accounts, so they are text attributes whose comment says what they are.
_PLAIN = {
    "email": ("email", "Social network"),
    "qq": ("text", "Social network"),
    "wechat": ("text", "Social network"),
    "contact": ("text", "Social network"),
    "cve": ("vulnerability", "External analysis"),
    "md5": ("md5", "Payload delivery"),
    "sha1": ("sha1", "Payload delivery"),
    "sha256": ("sha256", "Payload delivery"),
}

_URL_SCHEMES = frozenset({"http", "https", "ftp"})


@dataclass(frozen=True)
class Indicator:
    key: str  # one object (or attribute) per key in an event
    template: str | None  # MISP object template; None for a plain attribute
    values: tuple[tuple[str, str], ...]  # (object relation, value); plain: ((type, value),)
    label: str  # what it is, in English
    masked: bool = False  # a masked value matches nothing: no IDS flag, no correlation
    category: str | None = None  # plain attributes only


def telegram_key(username: str) -> str:
    """The key of a Telegram account: an account that posted and the same @handle in an
    ad are one ``telegram-account`` object."""
    return f"telegram-account:{username.lstrip('@').lower()}"


def indicator(stored: StoredEntity, *, reveal: bool, full_cards: bool) -> Indicator | None:
    """The MISP form of one extracted indicator, or None when it is not exported."""
    entity = stored.to_entity()
    kind = entity.type
    if kind == "telegram_handle":
        return Indicator(
            telegram_key(entity.normalized),
            "telegram-account",
            (("username", entity.normalized),),
            entity_label(entity),
        )
    if kind in ("card_number", "card_bin"):
        return _card(entity, full_cards)
    if kind == "phone":
        return _phone(entity) if reveal else None
    if kind in _WALLETS:
        relation, symbol = _WALLETS[kind]
        values = ((relation, entity.normalized), ("symbol", symbol))
        return Indicator(
            f"{kind}:{entity.normalized}", "coin-address", values, entity_label(entity)
        )
    if kind in ("url", "telegram_invite"):
        return _url(entity)
    return _network(entity) or _plain(entity)


def _card(entity: Entity, full_cards: bool) -> Indicator:
    # card_bin is a number already masked as written; mask() returns it unchanged
    number = entity.normalized if full_cards and entity.type == "card_number" else mask(entity)
    values = [("cc-number", number)]
    if entity.attrs.get("bin"):
        values.append(("iin", entity.attrs["bin"]))
    masked = number != entity.normalized or entity.type == "card_bin"
    return Indicator(f"card:{number}", "credit-card", tuple(values), entity_label(entity), masked)


def _phone(entity: Entity) -> Indicator:
    values = [("phone-number", entity.normalized)]
    if entity.attrs.get("country"):
        values.append(("country-code", entity.attrs["country"]))
    return Indicator(f"phone:{entity.normalized}", "phone-number", tuple(values), "phone number")


def _url(entity: Entity) -> Indicator:
    url = entity.normalized
    values = [("url", url)]
    try:
        parts = urlsplit(url)
        scheme, host = parts.scheme.lower(), parts.hostname
    except ValueError:  # a malformed bracketed host: the URL alone is still worth having
        scheme, host = "", None
    host = entity.attrs.get("host") or host
    if scheme in _URL_SCHEMES:
        values.append(("scheme", scheme))
    if host:
        values.append(("host", host))
    if entity.attrs.get("domain"):
        values.append(("domain", entity.attrs["domain"]))
    return Indicator(f"url:{url}", "url", tuple(values), entity_label(entity))


def _network(entity: Entity) -> Indicator | None:
    label = entity_label(entity)
    if entity.type in ("domain", "onion"):
        values = (("domain", entity.normalized),)
        return Indicator(f"domain:{entity.normalized}", "domain-ip", values, label)
    # a private address in an ad names a machine on someone's LAN, nothing to look for
    if entity.type in ("ipv4", "ipv6") and entity.attrs.get("private") != "true":
        return Indicator(
            f"ip:{entity.normalized}", "domain-ip", (("ip", entity.normalized),), label
        )
    return None


def _plain(entity: Entity) -> Indicator | None:
    if entity.type not in _PLAIN:
        return None  # cn_id, prices, quantities, USDT mentions, private IPs
    misp_type, category = _PLAIN[entity.type]
    return Indicator(
        f"{entity.type}:{entity.normalized}",
        None,
        ((misp_type, entity.normalized),),
        entity_label(entity),
        category=category,
    )
