"""Forum reader: one saved thread page (``.html``/``.htm``) → one Message per post.

The page is decoded by its declared charset (Discuz! sites often serve GBK), else UTF-8,
else GB18030, and matched against the analyst's layouts and then the built-in ones (see
:mod:`jianghu.sources.forum_layouts`). Nothing on the page is executed or fetched: scripts
are dropped, links become ``text_link`` entities and the next-page link is only recorded.

A post without an id or a readable date is a rejected record in ``problems`` (with the
line of its container); the other posts are kept. A page no layout recognises raises
:class:`~jianghu.errors.SourceFormatError`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import lxml.etree
import lxml.html
from lxml.html import HtmlElement

from jianghu.errors import ConfigError, SourceFormatError
from jianghu.records import AuthorRef, ChannelRef, Message, SourceProblem, SourceRef, TextEntity
from jianghu.sources.base import FileSource, ReaderSpec, parse_tz_offset, register_reader
from jianghu.sources.forum_layouts import Layout, builtin_layouts, layouts_for

PLATFORM = "forum"
_CHARSET = re.compile(
    rb"""(?:<meta[^>]+charset|<\?xml[^>]+encoding)\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I
)
# Browsers' "save page" marks where the page came from; the best site name we can get.
_SAVED_FROM = re.compile(r"<!-- saved from url=\(\d+\)(\S+?) -->")
_SPACE = re.compile(r"[^\S\n]+")
_XML_DECL = re.compile(r"\A\s*<\?xml[^>]*\?>")
_BLOCK = frozenset(
    {"p", "div", "li", "tr", "table", "ul", "ol", "pre", "dd", "dt", "dl", "hr", "center"}
    | {"h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "blockquote", "cite"}
)
_GB = {"gbk", "gb2312", "gb_2312-80", "x-gbk", "cp936", "gb18030"}


def decode(data: bytes) -> tuple[str, str]:
    """The page text and how it was decoded (``attrs["encoding"]``)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", "replace"), "utf-8 (byte order mark)"
    m = _CHARSET.search(data[:4096])
    declared = m[1].decode("ascii").lower() if m else None
    if declared is not None:
        # GBK and GB2312 pages are decoded as GB18030, their superset, so a character
        # outside the declared set (common in pasted text) still decodes.
        codec = "gb18030" if declared in _GB else declared
        try:
            return data.decode(codec), f"{codec} (declared {declared})"
        except (LookupError, UnicodeDecodeError):
            pass
    for codec in ("utf-8", "gb18030"):
        try:
            return data.decode(codec), f"{codec} ({'undeclared' if m is None else 'guessed'})"
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", "replace"), "utf-8 (with replacement characters)"


class _Text:
    """Builds the post text with normalised whitespace and the offsets of its links."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.size = 0
        self.space = False
        self.newlines = 0
        self.entities: list[TextEntity] = []
        self._link: tuple[int | None, str] | None = None

    def _write(self, text: str) -> None:
        self.parts.append(text)
        self.size += len(text)

    def words(self, text: str) -> None:
        for i, chunk in enumerate(_SPACE.split(text.replace("\n", " "))):
            if i:
                self.space = True
            if not chunk:
                continue
            if self.newlines and self.size:
                self._write("\n" * min(self.newlines, 2))
            elif self.space and self.size:
                self._write(" ")
            self.space, self.newlines = False, 0
            if self._link is not None and self._link[0] is None:
                self._link = (self.size, self._link[1])
            self._write(chunk)

    def newline(self, br: bool = False) -> None:
        self.newlines = self.newlines + 1 if br else max(self.newlines, 1)
        self.space = False

    def open_link(self, href: str) -> None:
        self._link = (None, href)

    def close_link(self) -> None:
        start, href = self._link if self._link is not None else (None, "")
        if start is not None:
            text = "".join(self.parts)[start:]
            self.entities.append(TextEntity("text_link", start, self.size, text, href=href))
        self._link = None

    def text(self) -> str:
        return "".join(self.parts)


def _render(el: HtmlElement, out: _Text, skip: set[HtmlElement], images: list[str]) -> None:
    tag = el.tag if isinstance(el.tag, str) else ""
    if el in skip or not tag:  # dropped parts, comments and processing instructions
        return
    block = tag in _BLOCK
    if block:
        out.newline()
    if tag == "br":
        out.newline(br=True)
    elif tag == "img" and el.get("smilieid") is None and "smilies" not in el.get("class", ""):
        # Discuz! lazy-loads attachments: the real image is in "file"/"zoomfile".
        src = el.get("zoomfile") or el.get("file") or el.get("src")
        if src:
            images.append(src)
    href = el.get("href") if tag == "a" else None
    if href:
        out.open_link(href)
    out.words(el.text or "")
    for child in el:
        _render(child, out, skip, images)
        out.words(child.tail or "")
    if href:
        out.close_link()
    if block:
        out.newline()


def _plain(el: HtmlElement, skip: set[HtmlElement]) -> str:
    """An element's text as a reader sees it (quotes are kept in attrs this way)."""
    out: _Text = _Text()
    _render(el, out, skip, [])
    return out.text()


def _host(url: str | None) -> str | None:
    """The host of a page's own URL; a malformed URL (hostile pages have them) has none."""
    if not url or "//" not in url:
        return None
    try:
        return urlsplit(url).hostname
    except ValueError:
        return None


class ForumPage(FileSource):
    """Reads one saved forum thread page."""

    platform = PLATFORM

    def __init__(self, path: Path, options: dict[str, str] | None = None) -> None:
        options = options or {}
        super().__init__(path)
        self._layouts = layouts_for(options.get("layouts"))
        tz = options.get("tz_offset")
        self._tz = parse_tz_offset(tz) if tz else None
        self._site = options.get("site")
        self._only = options.get("layout")
        if self._only and self._only not in {layout.name for layout in self._layouts}:
            raise ConfigError(f"unknown forum layout {self._only!r}")

    def _choose(self, doc: HtmlElement) -> Layout:
        for layout in self._layouts:
            if (self._only is None or layout.name == self._only) and layout.recognises(doc):
                return layout
        names = ", ".join(dict.fromkeys(layout.name for layout in self._layouts))
        raise SourceFormatError(
            self.path, 1, 1, f"expected a saved forum thread page (layouts: {names})"
        )

    def iter_messages(self) -> Iterator[Message]:
        data = self._file.read_bytes()
        text, encoding = decode(data)
        # lxml refuses a decoded string that still declares an encoding (XHTML pages);
        # blanking the declaration keeps every line and column where it was.
        text = _XML_DECL.sub(lambda m: re.sub(r"[^\n]", " ", m[0]), text, count=1)
        try:
            doc = lxml.html.document_fromstring(text)
        except (ValueError, lxml.etree.ParserError) as exc:
            raise SourceFormatError(self.path, 1, 1, f"not an HTML page: {exc}") from exc
        layout = self._choose(doc)
        page = _Page(self, layout, doc, text, encoding)
        for post in layout.post(doc):
            try:
                yield page.message(post)
            except _Reject as exc:
                line, col, _ = page.position(post)
                self.problems.append(SourceProblem(self.path, line, col, str(exc)))
        self._sha256 = hashlib.sha256(data).hexdigest()


def _offset(when: datetime) -> str:
    """``+08:00`` for an aware datetime."""
    z = when.strftime("%z")
    return f"{z[:3]}:{z[3:]}"


class _Reject(Exception):
    """A post that cannot become a message."""


class _Page:
    """What one page says about all its posts: channel, site, encoding, line offsets."""

    def __init__(
        self, reader: ForumPage, layout: Layout, doc: HtmlElement, text: str, encoding: str
    ) -> None:
        self.reader, self.layout, self.text = reader, layout, text
        self.codec = encoding.split()[0]
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]
        canonical = layout.get("canonical", doc)
        saved = _SAVED_FROM.search(text[:2048])
        url = canonical or (saved[1] if saved else None)
        site = reader._site or _host(url) or layout.name
        if site == layout.name:
            reader.warnings.append(
                f"no site URL on the page; the thread key uses the layout name {site!r} "
                "(pass the 'site' option so threads of different forums cannot collide)"
            )
        tid = layout.get("thread_id", doc)
        if tid is None:
            raise SourceFormatError(reader.path, 1, 1, f"{layout.name} page without thread id")
        title = layout.get("title", doc) or ""
        board = layout.get("board", doc)
        name = f"{board} / {title}" if board else title
        self.channel = ChannelRef(PLATFORM, f"{site}:thread{tid}", tid, name, "thread")
        self.attrs = {"layout": layout.name, "encoding": encoding, "site": site}
        next_page = layout.get("next_page", doc)
        if next_page:
            self.attrs["next_page"] = next_page  # recorded, never followed
        if url:
            self.attrs["page_url"] = url
        self.tz = reader._tz or layout.tz

    def position(self, el: HtmlElement) -> tuple[int, int, int]:
        """Line, column and byte offset of the element's start tag."""
        line = el.sourceline or 0
        if not 0 < line <= len(self.starts):
            return 0, 0, 0
        start = self.starts[line - 1]
        end = self.starts[line] if line < len(self.starts) else len(self.text)
        found = self.text.find(f'"{el.get("id")}"', start, end) if el.get("id") else -1
        tag = self.text.rfind("<", start, found) if found >= 0 else -1
        if tag < 0:
            tag = self.text.find(f"<{el.tag!s}", start, end)
        col = tag - start + 1 if tag >= 0 else 1
        try:
            offset = len(self.text[: start + col - 1].encode(self.codec))
        except (LookupError, UnicodeEncodeError):
            offset = start + col - 1
        return line, col, offset

    def posted_at(self, value: str, attrs: dict[str, str]) -> datetime:
        for fmt in self.layout.date_formats:
            try:
                if fmt == "iso":
                    when = datetime.fromisoformat(value)
                else:
                    when = datetime.strptime(value, fmt)
            except ValueError:
                continue
            if when.tzinfo is None:
                zone = self.tz or UTC
                attrs["time_assumed_tz"] = _offset(when.replace(tzinfo=zone))
                when = when.replace(tzinfo=zone)
            try:
                return when.astimezone(UTC)
            except OverflowError:  # an offset pushed year 1 or 9999 out of range
                raise _Reject(f"post date {value!r} is out of range") from None
        raise _Reject(f"post date {value!r} does not match {list(self.layout.date_formats)}")

    def message(self, post: HtmlElement) -> Message:
        layout = self.layout
        pid = layout.get("post_id", post)
        if pid is None:
            raise _Reject(f"{layout.name} post without a post id")
        stamp = layout.get("date", post)
        if stamp is None:
            raise _Reject(f"post {pid} without a date")
        attrs = dict(self.attrs)
        posted = self.posted_at(stamp, attrs)
        bodies = layout.body(post)
        body = bodies[0] if bodies else None
        out, images = _Text(), list[str]()
        if body is not None:
            quotes = [q for sel in layout.quote for q in sel(body)]
            skip = {el for sel in layout.drop for el in sel(body)}
            quoted = [_plain(q, skip) for q in quotes if q not in skip]
            if any(quoted):
                attrs["quoted"] = "\n\n".join(dict.fromkeys(q for q in quoted if q))
            _render(body, out, skip | set(quotes), images)
        else:  # e.g. Discuz!'s "作者被禁止或删除 内容自动屏蔽": kept, and marked as such
            attrs["no_body"] = "true"
        if images:
            attrs["images"] = "\n".join(images)
        name, uid = layout.get("author", post), layout.get("author_id", post)
        line, col, offset = self.position(post)
        return Message(
            platform=PLATFORM,
            channel=self.channel,
            message_id=pid,
            kind="message",
            author=AuthorRef(f"uid{uid}" if uid else None, name) if name or uid else None,
            posted_at=posted,
            text=out.text(),
            raw=lxml.html.tostring(post, encoding="unicode", with_tail=False),
            source=SourceRef(self.reader.path, line, col, offset, f"post {pid}"),
            entities=tuple(out.entities),
            reply_to=layout.get("reply_to", post),
            media_kind="photo" if images else None,
            attrs=attrs,
        )


def _sniff(path: Path, head: bytes) -> bool:
    """An .html/.htm file whose head carries a built-in layout's marker."""
    if path.suffix.lower() not in (".html", ".htm"):
        return False
    return any(layout.sniffs(head) for layout in builtin_layouts())


def _sniff_with_options(path: Path, head: bytes, options: dict[str, str]) -> bool:
    """Like :func:`_sniff`, with the analyst's own layouts (option ``layouts``) too."""
    if not options.get("layouts"):
        return _sniff(path, head)
    if path.suffix.lower() not in (".html", ".htm"):
        return False
    # A layout of the analyst's without sniff markers is trusted with every page: the
    # reader then checks its `match` selectors and says clearly when none fits.
    return any(
        layout.sniffs(head) or not layout.sniff for layout in layouts_for(options["layouts"])
    )


def _open(path: Path, options: dict[str, str]) -> ForumPage:
    return ForumPage(path, options)


register_reader(
    ReaderSpec(name="forum-html", sniff=_sniff, open=_open, sniff_with_options=_sniff_with_options)
)
