"""Reputation: a score from 0 to 100 for an actor, with every factor visible and the
messages behind it. No opaque number: the score is 50 plus the factors below, clamped.

- exposure by one accuser, nothing else against: −10 (competitors post fake exposures;
  one unsupported accusation is a warning, not a verdict);
- exposures by several accusers: −25, and −10 per further accuser (victims agree);
- dispute verdict (an exposure with a ruling — 判定, 裁定, 赔付 … — in an escrow group or
  an escrow notice): −30 each (the market's own arbiter ruled);
- deposit confirmed by an escrow group: +15, +5 per further, at most +20 (the escrow
  holds the seller's money);
- deposit claimed by the actor only: +3 (anyone can write 已上押);
- posting in escrow-run groups (担保 公群 …): +2 per group, at most +5;
- vouches by other accounts: +2 per voucher, at most +10;
- longevity: up to +10 at 180 days (scammers rotate accounts);
- steady activity: up to +10 at 12 active weeks (a shop, not a hit-and-run);
- breadth: up to +5 at 5 channels;
- prices: +5 when they vary by less than 25% within an offer, −5 above 100%.

Exposures and disputes are listed first. Mentions are counted only through identifiers
that belong to the actor and are not hubs, so an exposure that names an escrow bot's
handle counts against nobody who merely used the bot.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

BASE = 50
DEPOSIT_WORDS = re.compile(r"押金|上押|已押|保证金|deposit", re.IGNORECASE)
VOUCH_WORDS = re.compile(
    r"靠谱|好评|信誉|诚信|已收到|收到货|推荐|放心|老客户|回购|稳(?!定)|vouch|legit|trusted",
    re.IGNORECASE,
)
ESCROW_CHANNEL = re.compile(r"担保|escrow|公群|專群|专群|擔保", re.IGNORECASE)
EXPOSURE_WORDS = re.compile(
    r"骗|曝光|避雷|跑路|黑吃黑|被坑|坑人|失联|拉黑|不发货|不退|假的|冒充|scam|ripper|fraud",
    re.IGNORECASE,
)
VERDICT_WORDS = re.compile(r"判定|裁定|仲裁|判决|赔付|纠纷处理|verdict|ruled", re.IGNORECASE)


@dataclass(frozen=True)
class Mention:
    """A message by someone else that names one of the actor's identifiers."""

    message_id: int
    author: int | None
    channel: str
    at: datetime
    kind: str  # exposure, verdict, deposit_confirmed, vouch


@dataclass
class Facts:
    first_seen: datetime
    last_seen: datetime
    active_weeks: int
    channels: int
    claimed_deposits: list[int] = field(default_factory=list)  # own message ids
    mentions: list[Mention] = field(default_factory=list)
    price_spread: float | None = None  # median relative spread of the actor's offer prices
    escrow_channels: int = 0  # escrow-run groups (担保 公群 …) the actor posts in


@dataclass(frozen=True)
class Factor:
    name: str
    points: float
    detail: str
    message_ids: tuple[int, ...] = ()

    def to_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "points": round(self.points, 1),
            "detail": self.detail,
            "message_ids": list(self.message_ids),
        }


def mention_kind(channel: str, categories: tuple[str, ...], text: str) -> str | None:
    """What a message that names an actor says about them (None: nothing that counts)."""
    vouch = VOUCH_WORDS.search(text)
    complaint = EXPOSURE_WORDS.search(text)
    escrow_deposit = (
        ESCROW_CHANNEL.search(channel) or "escrow_guarantee" in categories
    ) and DEPOSIT_WORDS.search(text)
    # The classifier can read a short vouch naming a seller ("@x 回购 好评") or an escrow's
    # deposit notice ("@x 已上押 5000U") as an exposure; without a single word of
    # complaint either is counted as what it says.
    if "scam_report" in categories and (complaint or not (vouch or escrow_deposit)):
        # A verdict is the escrow ruling, not any victim posting in an escrow group.
        escrow = ESCROW_CHANNEL.search(channel) or "escrow_guarantee" in categories
        return "verdict" if escrow and VERDICT_WORDS.search(text) else "exposure"
    if escrow_deposit:
        return "deposit_confirmed"
    if vouch and not complaint:
        return "vouch"
    return None


def _ids(mentions: list[Mention]) -> tuple[int, ...]:
    return tuple(sorted({m.message_id for m in mentions}))


def score(facts: Facts) -> tuple[int, list[Factor]]:
    factors: list[Factor] = []
    exposures = [m for m in facts.mentions if m.kind == "exposure"]
    verdicts = [m for m in facts.mentions if m.kind == "verdict"]
    accusers = {m.author for m in exposures}
    if verdicts:
        factors.append(
            Factor(
                "dispute verdicts",
                -30.0 * len(verdicts),
                f"{len(verdicts)} exposure(s) posted in escrow groups",
                _ids(verdicts),
            )
        )
    if len(accusers) == 1 and not verdicts:
        factors.append(
            Factor(
                "exposure (one accuser, unsupported)",
                -10.0,
                "a single account accuses; no second accuser, no verdict",
                _ids(exposures),
            )
        )
    elif accusers:
        points = -25.0 - 10.0 * (len(accusers) - 2 if len(accusers) > 1 else 0)
        factors.append(
            Factor(
                "exposures",
                points,
                f"{len(exposures)} exposure(s) by {len(accusers)} accusers",
                _ids(exposures),
            )
        )
    confirmed = [m for m in facts.mentions if m.kind == "deposit_confirmed"]
    if confirmed:
        factors.append(
            Factor(
                "deposit confirmed by escrow",
                min(15.0 + 5.0 * (len(confirmed) - 1), 20.0),
                f"{len(confirmed)} escrow message(s) confirm a deposit",
                _ids(confirmed),
            )
        )
    elif facts.claimed_deposits:
        factors.append(
            Factor(
                "deposit claimed, not confirmed",
                3.0,
                "the actor says it paid a deposit; no escrow group confirms it",
                tuple(sorted(facts.claimed_deposits)),
            )
        )
    if facts.escrow_channels:
        factors.append(
            Factor(
                "trades in escrow groups",
                min(2.0 * facts.escrow_channels, 5.0),
                f"posts in {facts.escrow_channels} escrow-run group(s)",
            )
        )
    vouches = [m for m in facts.mentions if m.kind == "vouch"]
    vouchers = {m.author for m in vouches}
    if vouchers:
        factors.append(
            Factor(
                "vouches",
                min(2.0 * len(vouchers), 10.0),
                f"{len(vouchers)} other account(s) vouch",
                _ids(vouches),
            )
        )
    days = (facts.last_seen - facts.first_seen).days
    factors.append(Factor("longevity", min(days / 180.0, 1.0) * 10.0, f"active over {days} days"))
    factors.append(
        Factor(
            "steady activity",
            min(facts.active_weeks / 12.0, 1.0) * 10.0,
            f"{facts.active_weeks} active week(s)",
        )
    )
    factors.append(
        Factor("breadth", min(facts.channels / 5.0, 1.0) * 5.0, f"{facts.channels} channel(s)")
    )
    if facts.price_spread is not None:
        if facts.price_spread < 0.25:
            factors.append(
                Factor(
                    "consistent prices",
                    5.0,
                    f"prices vary by {facts.price_spread:.0%} within an offer",
                )
            )
        elif facts.price_spread > 1.0:
            factors.append(
                Factor(
                    "erratic prices",
                    -5.0,
                    f"prices vary by {facts.price_spread:.0%} within an offer",
                )
            )
    total = BASE + sum(f.points for f in factors)
    return max(0, min(100, round(total))), factors
