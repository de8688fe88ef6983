"""Watchlists: an organisation's own assets, as rules matched against every message.

A watchlist is a TOML file of named rules::

    [[rule]]
    name = "our BINs"
    kind = "bin"                 # term, regex, domain, brand, bin, wallet, phone, handle, actor
    values = ["622202", "400000-400099"]
    severity = "high"            # low, medium, high, critical
    categories = ["card_fraud"]  # optional scope: categories, intents, channels, platforms
    near = ["出"]                # term rules: another term within `within` characters
    within = 20

Matching is pure (text, normalised text, indicators, classification in; hits out), so it
runs after each stored batch and over the store alike. What each kind matches:

- ``term``/``brand``: the normalised value in the normalised text (traditional, spaced,
  full-width and homophone forms still hit), highlighted in the original text;
- ``regex``: on the original text with the ``regex`` engine and a time limit per
  message, so a pathological pattern cannot hang ingestion (a timeout is reported);
- ``domain``: domain and URL indicators equal to the value or under it (defanged forms
  are read by the indicator extractor);
- ``bin``: card numbers and masked PANs whose BIN starts with a prefix or falls in a
  range, and stated 卡头 (card heads);
- ``wallet``, ``phone``, ``handle``: the indicator's normalised value;
- ``actor``: any message by an account of that actor.
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ahocorasick  # no type stubs: mypy override in pyproject.toml
import regex

from jianghu.analysis.classify.linear import INTENTS
from jianghu.analysis.entities import WALLET_TYPES, Entity
from jianghu.analysis.lexicon import CATEGORIES
from jianghu.analysis.normalize import Normalized, normalize
from jianghu.errors import ConfigError

KINDS = ("term", "regex", "domain", "brand", "bin", "wallet", "phone", "handle", "actor")
SEVERITIES = ("low", "medium", "high", "critical")
REGEX_TIMEOUT = 0.05  # seconds per message and pattern
_CARD_HEAD = re.compile(r"卡头\s*[:：]?\s*([0-9]{6,8})")
_BIN_VALUE = re.compile(r"^[0-9]{4,8}(?:-[0-9]{4,8})?$")


@dataclass(frozen=True)
class Rule:
    name: str
    kind: str
    values: tuple[str, ...]
    severity: str = "medium"
    categories: tuple[str, ...] = ()
    intents: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    platforms: tuple[str, ...] = ()
    near: tuple[str, ...] = ()
    within: int = 20
    compiled: tuple[Any, ...] = field(default=(), compare=False, repr=False)

    def to_toml(self) -> str:
        def arr(xs: Sequence[str]) -> str:
            return "[" + ", ".join(_toml_str(x) for x in xs) + "]"

        lines = [
            "[[rule]]",
            f"name = {_toml_str(self.name)}",
            f"kind = {_toml_str(self.kind)}",
            f"values = {arr(self.values)}",
            f"severity = {_toml_str(self.severity)}",
        ]
        for key in ("categories", "intents", "channels", "platforms", "near"):
            if getattr(self, key):
                lines.append(f"{key} = {arr(getattr(self, key))}")
        if self.near:
            lines.append(f"within = {self.within}")
        return "\n".join(lines) + "\n"


def _toml_str(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + "".join(c if c >= " " else f"\\u{ord(c):04x}" for c in escaped) + '"'


@dataclass(frozen=True)
class Watchlist:
    rules: tuple[Rule, ...]
    source: str

    def rule(self, name: str) -> Rule:
        return next(r for r in self.rules if r.name == name)

    @functools.cached_property
    def index(self) -> _Index:
        return _Index(self.rules)


class _Index:
    """The rules arranged for lookup: one Aho-Corasick pass over the normalised text for
    every term and brand, dictionaries for exact indicators, domain suffixes and BIN
    prefixes; so a message costs about the same with 200 rules as with 2."""

    def __init__(self, rules: Sequence[Rule]) -> None:
        self.terms: Any = None
        self.exact: dict[tuple[str, str], list[Rule]] = {}
        self.domains: dict[str, list[Rule]] = {}
        self.bin_prefixes: dict[str, list[Rule]] = {}
        self.bin_ranges: list[tuple[str, str, Rule]] = []
        self.regexes = [r for r in rules if r.kind == "regex"]
        self.actors: dict[str, list[Rule]] = {}
        words: dict[str, list[tuple[Rule, str]]] = {}
        for r in rules:
            for v in r.values:
                if r.kind in ("term", "brand"):
                    words.setdefault(v, []).append((r, v))
                elif r.kind in ("wallet", "phone", "handle"):
                    self.exact.setdefault((r.kind, v), []).append(r)
                elif r.kind == "domain":
                    self.domains.setdefault(v, []).append(r)
                elif r.kind == "bin" and "-" in v:
                    lo, hi = v.split("-")
                    self.bin_ranges.append((lo, hi, r))
                elif r.kind == "bin":
                    self.bin_prefixes.setdefault(v, []).append(r)
                elif r.kind == "actor":
                    self.actors.setdefault(v, []).append(r)
        self.has_bins = bool(self.bin_prefixes or self.bin_ranges)
        if words:
            self.terms = ahocorasick.Automaton()
            for word, owners in words.items():
                self.terms.add_word(word, owners)
            self.terms.make_automaton()

    def bin_rules(self, digits: str) -> list[Rule]:
        reach = min(8, len(digits))
        out = [r for n in range(4, reach + 1) for r in self.bin_prefixes.get(digits[:n], [])]
        for lo, hi, r in self.bin_ranges:
            head = digits[: len(lo)]
            if len(head) == len(lo) and lo <= head <= hi:
                out.append(r)
        return out


def _strings(value: object, where: str, key: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ConfigError(f"{where}: '{key}' must be a list of non-empty strings")
    return tuple(v.strip() for v in value)


def _normal_value(kind: str, value: str, where: str) -> str:
    if kind in ("term", "brand"):
        folded = normalize(value).text.strip()
        if not folded:
            raise ConfigError(f"{where}: value {value!r} is empty once normalised")
        return folded
    if kind == "domain":
        return value.lower().replace("[.]", ".").replace("(.)", ".").strip(".")
    if kind == "bin":
        if not _BIN_VALUE.match(value):
            raise ConfigError(
                f"{where}: BIN {value!r}: expected 4–8 digits or a range 400000-400099"
            )
        return value
    if kind == "handle":
        return value.lower().lstrip("@")
    if kind == "phone":
        import phonenumbers

        from jianghu.analysis.entities.phones import parse_phone

        # A bare 11-digit number is read as Chinese, as the indicator extractor reads it.
        parsed = parse_phone(value, None if value.startswith("+") else "CN")
        if parsed is None:
            raise ConfigError(f"{where}: phone {value!r}: not a valid number (use +country…)")
        return str(phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164))
    if kind == "actor":
        if not value.isdigit():
            raise ConfigError(f"{where}: actor {value!r}: expected an actor id")
        return value
    return value


def parse_rule(obj: object, where: str) -> Rule:
    if not isinstance(obj, dict):
        raise ConfigError(f"{where}: expected a table")
    unknown = set(obj) - {
        "name",
        "kind",
        "values",
        "severity",
        "categories",
        "intents",
        "channels",
        "platforms",
        "near",
        "within",
    }
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    name, kind = obj.get("name"), obj.get("kind")
    if not isinstance(name, str) or not name.strip():
        raise ConfigError(f"{where}: expected a non-empty 'name'")
    where = f"{where} ({name!r})"
    if kind not in KINDS:
        raise ConfigError(f"{where}: 'kind' must be one of {', '.join(KINDS)}")
    values = _strings(obj.get("values"), where, "values")
    if not values:
        raise ConfigError(f"{where}: expected at least one value in 'values'")
    severity = obj.get("severity", "medium")
    if severity not in SEVERITIES:
        raise ConfigError(f"{where}: 'severity' must be one of {', '.join(SEVERITIES)}")
    cats = _strings(obj.get("categories"), where, "categories")
    if bad := [c for c in cats if c not in CATEGORIES]:
        raise ConfigError(f"{where}: unknown categories {', '.join(bad)}")
    intents = _strings(obj.get("intents"), where, "intents")
    if bad := [i for i in intents if i not in INTENTS]:
        raise ConfigError(f"{where}: unknown intents {', '.join(bad)}")
    within = obj.get("within", 20)
    if not isinstance(within, int) or not 1 <= within <= 1000:
        raise ConfigError(f"{where}: 'within' must be a number of characters, 1–1000")
    near = tuple(normalize(n).text for n in _strings(obj.get("near"), where, "near"))
    if near and kind not in ("term", "brand"):
        raise ConfigError(f"{where}: 'near' applies to term and brand rules only")
    normal = tuple(_normal_value(kind, v, where) for v in values)
    compiled: tuple[Any, ...] = ()
    if kind == "regex":
        try:
            compiled = tuple(regex.compile(v) for v in normal)
        except regex.error as exc:
            raise ConfigError(f"{where}: invalid regular expression: {exc}") from exc
    return Rule(
        name.strip(),
        kind,
        normal,
        severity,
        cats,
        intents,
        tuple(c.casefold() for c in _strings(obj.get("channels"), where, "channels")),
        _strings(obj.get("platforms"), where, "platforms"),
        near,
        within,
        compiled,
    )


def parse_watchlist(text: str, source: str) -> Watchlist:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: not valid TOML: {exc}") from exc
    unknown = set(data) - {"rule"}
    if unknown:
        raise ConfigError(f"{source}: unknown top-level key(s) {', '.join(sorted(unknown))}")
    raw = data.get("rule", [])
    if not isinstance(raw, list):
        raise ConfigError(f"{source}: 'rule' must be an array of tables ([[rule]])")
    rules = [parse_rule(r, f"{source}: rule {i + 1}") for i, r in enumerate(raw)]
    seen: set[str] = set()
    for r in rules:
        if r.name in seen:
            raise ConfigError(f"{source}: two rules are named {r.name!r}")
        seen.add(r.name)
    return Watchlist(tuple(rules), source)


def load_watchlist(path: Path, must_exist: bool = False) -> Watchlist:
    """The rules of ``path``; a missing file has none, unless it ``must_exist`` (an
    ingest given a mistyped path must not run silently without its alerts)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        if must_exist:
            raise ConfigError(f"{path}: no such watchlist file") from exc
        return Watchlist((), str(path))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the watchlist: {exc}") from exc
    return parse_watchlist(text, str(path))


# ---- matching --------------------------------------------------------------------------
@dataclass(frozen=True)
class Context:
    """What a rule may be scoped by, and who posted."""

    categories: tuple[str, ...] = ()
    intent: str = "other"
    channel: str = ""
    platform: str = ""
    actor: int | None = None


@dataclass(frozen=True)
class Hit:
    rule: str
    severity: str
    matched: str  # the original text of the hit (or the indicator as written)
    start: int
    end: int


@dataclass
class MatchReport:
    hits: list[Hit]
    timeouts: list[str]  # regex rules that ran out of time on this message


def _in_scope(rule: Rule, ctx: Context) -> bool:
    if rule.categories and not set(rule.categories) & set(ctx.categories):
        return False
    if rule.intents and ctx.intent not in rule.intents:
        return False
    if rule.channels and not any(c in ctx.channel.casefold() for c in rule.channels):
        return False
    return not (rule.platforms and ctx.platform not in rule.platforms)


def match(
    watchlist: Watchlist,
    text: str,
    entities: Sequence[Entity],
    ctx: Context,
    norm: Normalized | None = None,
    normalized_text: str | None = None,
) -> MatchReport:
    """Every rule hit in one message (see the module docstring). ``normalized_text``
    (from the analysis) saves normalising again; the offset map is then computed only
    for a message with a term hit, to point the hit into the original text."""
    report = MatchReport([], [])
    idx = watchlist.index
    scoped: dict[str, bool] = {}

    def ok(rule: Rule) -> bool:
        v = scoped.get(rule.name)
        if v is None:
            v = scoped[rule.name] = _in_scope(rule, ctx)
        return v

    hits = report.hits
    if idx.terms is not None:
        folded = norm
        haystack = norm.text if norm is not None else normalized_text
        if haystack is None:
            folded = normalize(text)
            haystack = folded.text
        seen: set[tuple[str, str]] = set()
        for end, owners in idx.terms.iter(haystack):
            for rule, value in owners:
                if (rule.name, value) in seen or not ok(rule):
                    continue
                start = end - len(value) + 1
                if rule.near:
                    window = haystack[max(0, start - rule.within) : end + 1 + rule.within]
                    if not any(n in window for n in rule.near):
                        continue
                seen.add((rule.name, value))
                if folded is None:
                    folded = normalize(text)
                a, b = folded.to_original(start, end + 1)
                hits.append(Hit(rule.name, rule.severity, text[a:b], a, b))
    for e in entities:
        for rule in _entity_rules(idx, e):
            if ok(rule):
                hits.append(Hit(rule.name, rule.severity, e.value, e.start, e.end))
    if idx.has_bins and "卡头" in text:
        for m in _CARD_HEAD.finditer(text):
            for rule in idx.bin_rules(m.group(1)):
                if ok(rule):
                    hits.append(Hit(rule.name, rule.severity, m.group(), m.start(), m.end()))
    for rule in idx.regexes:
        if not ok(rule):
            continue
        for pattern in rule.compiled:
            try:
                m = pattern.search(text, timeout=REGEX_TIMEOUT)
            except TimeoutError:
                report.timeouts.append(rule.name)
                continue
            if m:
                hits.append(Hit(rule.name, rule.severity, m.group(), m.start(), m.end()))
    if ctx.actor is not None:
        for rule in idx.actors.get(str(ctx.actor), []):
            if ok(rule):
                hits.append(Hit(rule.name, rule.severity, f"actor {ctx.actor}", 0, 0))
    return report


def _entity_rules(idx: _Index, e: Entity) -> list[Rule]:
    if e.type in WALLET_TYPES:
        return idx.exact.get(("wallet", e.normalized), []) or idx.exact.get(("wallet", e.value), [])
    if e.type == "phone":
        return idx.exact.get(("phone", e.normalized), [])
    if e.type == "telegram_handle":
        return idx.exact.get(("handle", e.normalized.lower()), [])
    if e.type in ("domain", "url") and idx.domains:
        parts = (e.attrs.get("host") or e.normalized).lower().split(".")
        return [r for i in range(len(parts) - 1) for r in idx.domains.get(".".join(parts[i:]), [])]
    if e.type in ("card_number", "card_bin") and idx.has_bins:
        return idx.bin_rules(e.attrs.get("bin8") or e.attrs.get("bin") or e.normalized)
    return []
