"""The one record every extractor produces."""

from __future__ import annotations

import msgspec


class Entity(msgspec.Struct, frozen=True):
    """An indicator found in a message.

    ``value`` is the text exactly as written (``text[start:end]``, code-point offsets into
    the original message); ``normalized`` is the comparable form (E.164 for phones,
    lowercase for domains and Telegram usernames, digits only for cards, EIP-55 form for
    Ethereum). ``attrs`` holds the structured parts (scheme, chain, amount, platform …).
    """

    type: str
    value: str
    normalized: str
    start: int
    end: int
    valid: bool = True
    attrs: dict[str, str] = msgspec.field(default_factory=dict)


ENTITY_TYPES: tuple[str, ...] = (
    "telegram_handle",
    "telegram_invite",
    "qq",
    "wechat",
    "email",
    "phone",
    "contact",
    "card_number",
    "card_bin",
    "cn_id",
    "btc_address",
    "eth_address",
    "tron_address",
    "xmr_address",
    "ltc_address",
    "usdt",
    "url",
    "domain",
    "onion",
    "ipv4",
    "ipv6",
    "cve",
    "md5",
    "sha1",
    "sha256",
    "price",
    "quantity",
)

# Indicators a trader gives as a way to reach or pay them (offers, actors, watchlists).
CONTACT_TYPES = ("telegram_handle", "telegram_invite", "qq", "wechat", "email", "phone", "contact")
WALLET_TYPES = ("btc_address", "eth_address", "tron_address", "xmr_address", "ltc_address")
