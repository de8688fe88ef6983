"""Tags of a MISP export: the TLP marking and the MISP ``dark-web`` taxonomy.

Our categories (shared/TAXONOMY.md) are finer than the taxonomy's topics, so several map
to one topic; the values are those of MISP's dark-web taxonomy, version 6, spelled as it
spells them (``counteir-feit-materials`` included, misspelling and all, so the tags match
the taxonomy a MISP instance has enabled). The table is documented in
docs/exports-misp.md.
"""

from __future__ import annotations

from jianghu.store.selection import MessageRecord

TLP_LEVELS = ("clear", "white", "green", "amber", "amber+strict", "red")


def _topic(value: str) -> str:
    return f'dark-web:topic="{value}"'


def _motivation(value: str) -> str:
    return f'dark-web:motivation="{value}"'


CATEGORY_TAGS: dict[str, tuple[str, ...]] = {
    # stolen databases and look-ups over them: personal data used to identify people
    "data_leak": (_topic("identification-credentials"),),
    "card_fraud": (_topic("credit-card"),),
    "money_laundering": (_topic("cash-out"),),
    "fake_identity": (_topic("counteir-feit-materials"),),
    "kyc_bypass": (_topic("identification-credentials"),),
    # SIM cards and SMS codes are sold to pass phone verification as someone else
    "sim_sms": (_topic("identification-credentials"),),
    "account_trade": (_topic("identification-credentials"),),
    "hacking_service": (_topic("hacking"),),
    "hacking_tool": (_topic("hacking"), _topic("softwares")),
    # phishing kits and scam scripts: the taxonomy has no topic, only the motivation
    "fraud_service": (_motivation("scam"),),
    "gambling": (_topic("gambling"),),
    "drugs": (_topic("drugs-narcotics"),),
    "escrow_guarantee": (_topic("escrow"),),
    # an exposure reports on a scam; it is not one
    "scam_report": (_motivation("information-sharing-reportage"),),
}

# Buying ads are part of the market as much as selling ones; recruiting is not "for sale".
INTENT_TAGS: dict[str, tuple[str, ...]] = {
    "sell": (_motivation("marketplace-for-sale"),),
    "buy": (_motivation("marketplace-for-sale"),),
}

PLATFORM_TAGS: dict[str, tuple[str, ...]] = {
    "telegram": (_topic("chat"),),
    "discord": (_topic("chat"),),
    "whatsapp": (_topic("chat"),),
    "forum": (_motivation("forum"),),
}


def tlp_tag(level: str) -> str:
    """``tlp:<level>``; an unknown level is refused rather than shared under a typo."""
    if level not in TLP_LEVELS:
        raise ValueError(f"TLP level {level!r}: expected one of {', '.join(TLP_LEVELS)}")
    return f"tlp:{level}"


def dark_web_tags(message: MessageRecord) -> list[str]:
    """The dark-web taxonomy tags of one message, sorted, without repeats."""
    tags = set(PLATFORM_TAGS.get(message.platform, ()))
    tags.update(INTENT_TAGS.get(message.intent or "", ()))
    for category in message.categories:
        tags.update(CATEGORY_TAGS.get(category, ()))
    return sorted(tags)
