"""Declarative layouts of forum thread pages: how to recognise a page and where its parts are.

A layout is one ``[[layout]]`` table of a TOML file. The built-in ones (Discuz! X, phpBB,
XenForo) live in ``data/forum_layouts.toml``; an analyst adds a forum by writing the same
tables in a file of their own, so no code is needed. Every part of a page is found by an
*extractor*: ``{ css = "...", attr = "...", regex = "...", last = true }`` (no ``css``: the
post element itself; no ``attr``: its text; ``regex``: its first group, or the whole match;
``last``: the last element matched, e.g. the innermost breadcrumb). A field may list
several extractors, tried in order, because one forum's templates differ between versions.

Layouts are validated when loaded (unknown keys, missing required parts, CSS or regular
expressions that do not compile); the error names the file and the layout.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass
from datetime import timezone
from importlib import resources
from pathlib import Path
from typing import Any

from cssselect import SelectorError
from lxml.cssselect import CSSSelector
from lxml.html import HtmlElement

from jianghu.errors import ConfigError
from jianghu.sources.base import parse_tz_offset

_REQUIRED = ("name", "match", "post", "body", "title", "post_id", "date")
_EXTRACTORS = (
    "title", "board", "thread_id", "canonical", "next_page",
    "post_id", "author", "author_id", "date", "reply_to",
)  # fmt: skip
_KEYS = {*_REQUIRED, *_EXTRACTORS, "sniff", "quote", "drop", "tz", "date_formats"}
_SPACE = re.compile(r"\s+")


def _css(text: str) -> CSSSelector:
    return CSSSelector(text, translator="html")


@dataclass(frozen=True)
class Extractor:
    """One way to find a value: an element (by CSS), one of its attributes, a regex."""

    css: CSSSelector | None
    attr: str | None
    regex: re.Pattern[str] | None
    last: bool

    def first(self, root: HtmlElement) -> str | None:
        """The value in ``root``, or None when the element, attribute or match is missing."""
        if self.css is None:
            found: list[Any] = [root]
        else:
            found = self.css(root)
        if not found:
            return None
        el = found[-1] if self.last else found[0]
        value = el.get(self.attr) if self.attr else _SPACE.sub(" ", el.text_content())
        if value is None:
            return None
        value = value.strip()
        if self.regex is not None:
            m = self.regex.search(value)
            if m is None:
                return None
            value = m[1] if self.regex.groups else m[0]
        return value or None


def extract(extractors: tuple[Extractor, ...], root: HtmlElement) -> str | None:
    """The first value any of ``extractors`` finds."""
    for ex in extractors:
        value = ex.first(root)
        if value is not None:
            return value
    return None


@dataclass(frozen=True)
class Layout:
    """A validated layout. Selectors in post-level fields apply inside each post element."""

    name: str
    source: str  # file the layout came from, for messages
    sniff: tuple[str, ...]  # byte strings that all occur in a page's head (cheap pre-test)
    match: tuple[CSSSelector, ...]  # all must match for the page to be this layout's
    post: CSSSelector
    body: CSSSelector
    quote: tuple[CSSSelector, ...]
    drop: tuple[CSSSelector, ...]
    tz: timezone | None  # the forum's local time when dates carry no offset
    date_formats: tuple[str, ...]  # strptime formats, or "iso"
    fields: dict[str, tuple[Extractor, ...]]

    def recognises(self, doc: HtmlElement) -> bool:
        return all(sel(doc) for sel in self.match)

    def sniffs(self, head: bytes) -> bool:
        return bool(self.sniff) and all(m.encode() in head for m in self.sniff)

    def get(self, field: str, root: HtmlElement) -> str | None:
        return extract(self.fields.get(field, ()), root)


class _Builder:
    """Turns one TOML table into a :class:`Layout`, raising ConfigError with context."""

    def __init__(self, source: str, table: dict[str, Any], index: int) -> None:
        self.source, self.table = source, table
        self.where = f"{source}: layout {table.get('name') or f'#{index + 1}'!r}"

    def fail(self, message: str) -> ConfigError:
        return ConfigError(f"{self.where}: {message}")

    def strings(self, key: str) -> tuple[str, ...]:
        value = self.table.get(key, [])
        value = [value] if isinstance(value, str) else value
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(f"{key} must be a string or a list of strings")
        return tuple(value)

    def selector(self, text: str, key: str) -> CSSSelector:
        try:
            return _css(text)
        except SelectorError as exc:
            raise self.fail(f"{key}: invalid CSS selector {text!r}: {exc}") from exc

    def regex(self, text: str, key: str) -> re.Pattern[str]:
        try:
            pattern = re.compile(text)
        except re.error as exc:
            raise self.fail(f"{key}: invalid regex {text!r}: {exc}") from exc
        if pattern.groups > 1:
            raise self.fail(f"{key}: regex {text!r} may have at most one group")
        return pattern

    def extractors(self, key: str) -> tuple[Extractor, ...]:
        value = self.table.get(key, [])
        items = [value] if isinstance(value, dict) else value
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise self.fail(f"{key} must be a table {{css, attr, regex}} or a list of them")
        out = []
        for item in items:
            unknown = set(item) - {"css", "attr", "regex", "last"}
            if unknown:
                raise self.fail(f"{key}: unknown keys {sorted(unknown)}")
            css, attr, regex = item.get("css"), item.get("attr"), item.get("regex")
            if not all(v is None or isinstance(v, str) for v in (css, attr, regex)):
                raise self.fail(f"{key}: css, attr and regex must be strings")
            out.append(
                Extractor(
                    self.selector(css, key) if css else None,
                    attr or None,
                    self.regex(regex, key) if regex else None,
                    bool(item.get("last", False)),
                )
            )
        return tuple(out)

    def build(self) -> Layout:
        unknown = set(self.table) - _KEYS
        if unknown:
            raise self.fail(f"unknown keys {sorted(unknown)}")
        missing = [k for k in _REQUIRED if not self.table.get(k)]
        if missing:
            raise self.fail(f"missing required {', '.join(missing)}")
        if not isinstance(self.table["name"], str):
            raise self.fail("name must be a string")
        for key in ("post", "body"):
            if not isinstance(self.table[key], str):
                raise self.fail(f"{key} must be one CSS selector string")
        tz = self.table.get("tz")
        try:
            zone = parse_tz_offset(tz) if isinstance(tz, str) else None
        except ConfigError as exc:
            raise self.fail(str(exc)) from exc
        return Layout(
            name=self.table["name"],
            source=self.source,
            sniff=self.strings("sniff"),
            match=tuple(self.selector(s, "match") for s in self.strings("match")),
            post=self.selector(self.table["post"], "post"),
            body=self.selector(self.table["body"], "body"),
            quote=tuple(self.selector(s, "quote") for s in self.strings("quote")),
            drop=tuple(self.selector(s, "drop") for s in self.strings("drop")),
            tz=zone,
            date_formats=self.strings("date_formats") or ("iso",),
            fields={key: self.extractors(key) for key in _EXTRACTORS},
        )


def parse_layouts(text: str, source: str) -> list[Layout]:
    """Layouts from TOML text; ``source`` names the file in errors."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: not valid TOML: {exc}") from exc
    tables = data.get("layout")
    if not isinstance(tables, list) or not tables:
        raise ConfigError(f"{source}: expected one or more [[layout]] tables")
    layouts = [_Builder(source, t, i).build() for i, t in enumerate(tables)]
    names = [layout.name for layout in layouts]
    if len(set(names)) != len(names):
        raise ConfigError(f"{source}: layout names must be unique, got {names}")
    return layouts


def load_layouts(path: Path) -> list[Layout]:
    """Layouts from an analyst's TOML file."""
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read layout file: {exc}") from exc
    return parse_layouts(text, str(path))


_BUILTIN: list[Layout] = []


def builtin_layouts() -> list[Layout]:
    """Discuz! X, phpBB and XenForo; parsed on first use, not at import."""
    if not _BUILTIN:
        text = resources.files("jianghu.sources").joinpath("data/forum_layouts.toml")
        _BUILTIN.extend(parse_layouts(text.read_text("utf-8"), "built-in forum_layouts.toml"))
    return list(_BUILTIN)


def layouts_for(option: str | None) -> list[Layout]:
    """The analyst's layouts (``os.pathsep``-separated files) first, then the built-ins."""
    own: list[Layout] = []
    for part in (option or "").split(os.pathsep):
        if part.strip():
            own.extend(load_layouts(Path(part.strip())))
    return own + builtin_layouts()
