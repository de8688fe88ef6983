"""Template slots: ``{name}`` or ``{name:lo-hi}`` in a template, filled per post.

Facts (prices, places, quantities) come from the offer's RNG, ``base``, so every variant of
an ad states the same offer; looks (units, labels, emoji, contact layout) come from the
variant's RNG, ``style``. A slot may only draw from ``base`` unconditionally, so that the
facts line up whatever the variant chose.
"""

from __future__ import annotations

import functools
import random
import re
from collections.abc import Callable
from dataclasses import dataclass

from . import phrasebook as pb
from .cast import Persona


@dataclass(slots=True)
class Ctx:
    base: random.Random  # the offer's facts: the same in every variant
    style: random.Random  # this variant's looks
    subject: Persona
    scam: Persona
    palette: tuple[str, str]
    dot: str


SlotFn = Callable[[Ctx, str], str]


def _bounds(arg: str) -> tuple[int, int]:
    lo, _, hi = arg.partition("-")
    return int(lo), int(hi or lo)


def _nice(value: int) -> int:
    """Prices people type: 1180 becomes 1200, 67 stays 67."""
    if value >= 1000:
        return round(value, -2)
    if value >= 100:
        return round(value, -1)
    return value


def _usdt(ctx: Ctx, arg: str) -> str:
    value = _nice(ctx.base.randint(*_bounds(arg)))
    unit = ctx.style.choice(("U", "u", "U", "u", "USDT", "刀"))
    if ctx.style.random() < 0.25:  # a cross-post often comes with the price nudged
        old = value
        value = max(1, _nice(int(value * ctx.style.choice((0.8, 0.9, 1.1, 1.2)))))
        if value < old and ctx.style.random() < 0.3:
            return f"~~{old}{unit}~~ {value}{unit}"
    return f"{value}{unit}"


def _usdt_fraction(ctx: Ctx, arg: str) -> str:
    value = ctx.base.randint(*_bounds(arg)) / 10
    return f"{value:g}{ctx.style.choice(('u', 'U', 'u', 'USDT'))}"


def _rmb(ctx: Ctx, arg: str) -> str:
    value = _nice(ctx.base.randint(*_bounds(arg)))
    roll = ctx.style.random()
    if value >= 10000 and roll < 0.6:
        return f"{value / 10000:g}{ctx.style.choice(('w', 'W', '万', '个w'))}"
    if value >= 1000 and value % 1000 == 0 and roll < 0.3:
        return f"{value // 1000}k"
    return f"{value}{ctx.style.choice(('元', '元', '块', 'r', 'RMB'))}"


def _wan(ctx: Ctx, arg: str) -> str:
    value = ctx.base.randint(*_bounds(arg))
    return f"{value}{ctx.style.choice(('万', 'w', 'W', '万'))}"


def _yi(ctx: Ctx, arg: str) -> str:
    value = ctx.base.randint(2, 60) / 10
    if ctx.style.random() < 0.2:
        return f"{int(value * 10000)}w"
    return f"{value:g}亿"


def _pick(words: tuple[str, ...]) -> SlotFn:
    return lambda ctx, _arg: ctx.base.choice(words)


def _handle_link(ctx: Ctx, _arg: str) -> str:
    return ctx.style.choice(("t.me/", "https://t.me/")) + ctx.subject.handle


def _channel_link(ctx: Ctx, _arg: str) -> str:
    return ctx.style.choice(("t.me/", "https://t.me/")) + ctx.subject.channel


def _wechat(ctx: Ctx, _arg: str) -> str:
    wechat = ctx.subject.wechat or ctx.subject.handle
    return f"{ctx.style.choice(pb.WECHAT_LABELS)}{ctx.style.choice(('：', ':', ' '))}{wechat}"


def _qq(ctx: Ctx, _arg: str) -> str:
    return f"{ctx.style.choice(pb.QQ_LABELS)}：{ctx.subject.qq}"


def _tron(ctx: Ctx, _arg: str) -> str:
    # Addresses are often sent as `code` so that a tap copies them.
    address = ctx.subject.tron
    return f"`{address}`" if ctx.style.random() < 0.3 else address


def _contact(ctx: Ctx, _arg: str) -> str:
    st, who = ctx.style, ctx.subject
    fly, handle = st.choice(pb.TG_WORDS), who.handle
    lines = [
        st.choice(
            (
                f"{fly}：@{handle}",
                f"✈️ @{handle}",
                f"联系{fly} @{handle}",
                f"私聊 @{handle}",
                f"咨询 @{handle}",
                f"[👉点我私聊](https://t.me/{handle})",
                f"t.me/{handle}",
                f"{fly}搜 {handle}",  # without the @ Telegram finds no mention: plain text
            )
        )
    ]
    if who.wechat and st.random() < 0.4:
        lines.append(_wechat(ctx, ""))
    if st.random() < 0.15:
        lines.append(_qq(ctx, ""))
    if st.random() < 0.2:
        lines.append("频道：" + _channel_link(ctx, ""))
    if st.random() < 0.05:
        lines.append(f"电话 +86 {who.phone}")
    return st.choice(("\n", "  ", " | ")).join(lines)


_SLOTS: dict[str, SlotFn] = {
    "e": lambda ctx, _arg: ctx.palette[0],
    "e2": lambda ctx, _arg: ctx.palette[1],
    "dot": lambda ctx, _arg: ctx.dot,
    "sep": lambda ctx, _arg: ctx.style.choice(pb.SEPARATORS),
    "fly": lambda ctx, _arg: ctx.style.choice(pb.TG_WORDS),
    "contact": _contact,
    "tg": lambda ctx, _arg: "@" + ctx.subject.handle,
    "tglink": _handle_link,
    "chan": _channel_link,
    "vx": _wechat,
    "qq": _qq,
    "tron": _tron,
    "phone": lambda ctx, _arg: "+86 " + ctx.subject.phone,
    "u": _usdt,
    "uf": _usdt_fraction,
    "rmb": _rmb,
    "wan": _wan,
    "yi": _yi,
    "n": lambda ctx, arg: str(ctx.base.randint(*_bounds(arg))),
    "bin": lambda ctx, _arg: f"{ctx.base.choice('45')}{ctx.base.randint(0, 99999):05d}",
    "gq": lambda ctx, _arg: f"{ctx.base.randint(100, 999)}号",
    "region": _pick(pb.REGIONS),
    "city": _pick(pb.CITIES),
    "bank": _pick(pb.BANKS),
    "country": _pick(pb.COUNTRIES),
    "platform": _pick(pb.PLATFORMS),
    "carrier": _pick(pb.CARRIERS),
    "av": _pick(pb.ANTIVIRUS),
    "casino": _pick(pb.CASINOS),
    "guarantee": _pick(pb.GUARANTEES),
    "item": _pick(pb.ITEMS),
    "year": _pick(pb.YEARS),
    "scammer": lambda ctx, _arg: "@" + ctx.scam.handle,
    "scam_name": lambda ctx, _arg: ctx.base.choice([a.first_name for a in ctx.scam.accounts]),
    "scam_tron": lambda ctx, _arg: ctx.scam.tron,
}

_SLOT = re.compile(r"\{(\w+)(?::([^{}]*))?\}")
Token = str | tuple[SlotFn, str]


@functools.cache
def compile_template(text: str) -> tuple[tuple[Token, ...], ...]:
    """Template text as lines of literal runs and slot calls (an unknown slot fails here)."""
    lines: list[tuple[Token, ...]] = []
    for line in text.split("\n"):
        tokens: list[Token] = []
        pos = 0
        for m in _SLOT.finditer(line):
            if m.start() > pos:
                tokens.append(line[pos : m.start()])
            tokens.append((_SLOTS[m.group(1)], m.group(2) or ""))
            pos = m.end()
        if pos < len(line):
            tokens.append(line[pos:])
        lines.append(tuple(tokens))
    return tuple(lines)


def fill(line: tuple[Token, ...], ctx: Ctx) -> str:
    return "".join(tok if isinstance(tok, str) else tok[0](ctx, tok[1]) for tok in line)
