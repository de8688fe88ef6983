"""The text rules of WhatsApp "Export chat" files: headers, dates, times and markers.

WhatsApp writes no schema: each message starts with a ``DATE, TIME - AUTHOR: TEXT`` line
(Android) or ``[DATE, TIME] AUTHOR: TEXT`` (iOS) in the phone's locale. Everything here is
pure string work so the reader (``whatsapp_export``) only deals with files and records.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime

DateOrder = str  # "dmy" | "mdy" | "ymd"
DATE_ORDERS = ("dmy", "mdy", "ymd")

# Bidi marks and BOM carry no text; the odd spaces newer iOS builds put before AM/PM (and
# elsewhere) would otherwise defeat every regex below.
_INVISIBLE = dict.fromkeys(map(ord, "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\ufeff"))
_SPACES = dict.fromkeys(map(ord, "\u202f\u2009\u00a0\u2007"), " ")
_TRANSLATE = {**_INVISIBLE, **_SPACES}


def normalise(line: str) -> str:
    return line.translate(_TRANSLATE)


_DATE = r"(?P<d1>\d{1,4})(?:[./-]|年) ?(?P<d2>\d{1,2})(?:[./-]|月) ?(?P<d3>\d{1,4})(?:\.|日)?"
_MARK = r"(?:[AaPp]\. ?[Mm]\.|[AaPp][Mm]|上午|下午|오전|오후|午前|午後)"
_TIME = (
    rf"(?:(?P<m1>{_MARK}) ?)?(?P<h>\d{{1,2}})[:.](?P<mi>\d{{2}})(?:[:.](?P<s>\d{{2}}))?"
    rf"(?: ?(?P<m2>{_MARK}))?"
)
_ANDROID = re.compile(rf"(?P<date>{_DATE}),? (?:klo )?(?P<time>{_TIME}) - (?P<rest>.*)")
_IOS = re.compile(rf"\[(?P<date>{_DATE}),? (?:klo )?(?P<time>{_TIME})\] ?(?P<rest>.*)")
_PM = frozenset({"pm", "p.m.", "下午", "오후", "午後"})


@dataclass(frozen=True, slots=True)
class Header:
    """A line that starts a message, split but not yet interpreted."""

    fields: tuple[str, str, str]  # the three date numbers as written
    hour: int
    minute: int
    second: int | None
    marker: str | None  # AM/PM-like marker, lower-cased without spaces
    rest: str  # "AUTHOR: TEXT" or a system line
    date_col: int  # 1-based column of the date, for problems


def match_header(line: str) -> Header | None:
    """Split ``line`` (already normalised) if it starts a message."""
    m = _ANDROID.match(line) or _IOS.match(line)
    if m is None:
        return None
    marker = m["m1"] or m["m2"]
    return Header(
        fields=(m["d1"], m["d2"], m["d3"]),
        hour=int(m["h"]),
        minute=int(m["mi"]),
        second=int(m["s"]) if m["s"] else None,
        marker=marker.lower().replace(" ", "") if marker else None,
        rest=m["rest"],
        date_col=m.start("date") + 1,
    )


class DateOrderVotes:
    """First-pass evidence for the file's date order, in constant memory.

    A first field above 12 can only be a day (day-first), a second field above 12 only a
    day (month-first); a four-digit first field is a year. whatsapp-chat-parser's
    ``daysFirst`` decides the same way.
    """

    def __init__(self) -> None:
        self.day_first = 0
        self.month_first = 0
        self.year_first = 0
        self.headers = 0

    def add(self, fields: tuple[str, str, str]) -> None:
        self.headers += 1
        a, b = int(fields[0]), int(fields[1])
        if len(fields[0]) == 4:
            self.year_first += 1
        elif a > 12 >= b:
            self.day_first += 1
        elif b > 12 >= a:
            self.month_first += 1

    def decide(self, fallback: DateOrder) -> tuple[DateOrder, str | None]:
        """The order to use and, when the file did not settle it, why (a warning)."""
        if self.year_first and not (self.day_first or self.month_first):
            return "ymd", None
        if self.day_first and self.month_first:
            order = "dmy" if self.day_first >= self.month_first else "mdy"
            return order, (
                f"dates disagree on their order ({self.day_first} day-first, "
                f"{self.month_first} month-first); read as {order}"
            )
        if self.day_first:
            return "dmy", None
        if self.month_first:
            return "mdy", None
        if self.year_first:
            return "ymd", None
        return fallback, (
            f"date order cannot be decided (no day above 12 in {self.headers} dates); "
            f"assumed {fallback}"
        )


def to_datetime(head: Header, order: DateOrder) -> datetime:
    """The local, naive timestamp of ``head``; ValueError says what is impossible."""
    a, b, c = (int(x) for x in head.fields)
    if order == "ymd" or len(head.fields[0]) == 4:
        year, month, day = a, b, c
        year_digits = len(head.fields[0])
    elif order == "mdy":
        month, day, year = a, b, c
        year_digits = len(head.fields[2])
    else:
        day, month, year = a, b, c
        year_digits = len(head.fields[2])
    if year_digits <= 2:  # WhatsApp exists since 2009: two-digit years are this century
        year += 2000
    hour = head.hour
    if head.marker is not None:
        if not 0 <= hour <= 12:
            raise ValueError(f"hour {hour} with a 12-hour marker")
        pm = head.marker in _PM
        hour = (hour % 12) + (12 if pm else 0)
    if not 1 <= month <= 12:
        raise ValueError(f"impossible date {'/'.join(head.fields)}: month {month}")
    return datetime(year, month, day, hour, head.minute, head.second or 0)


# ---- what the text says ----------------------------------------------------------------
# Searched in the whole line after the header; a hit before the first ":" (or with no
# author part) makes the line a service message. Phrases per locale: en, zh-CN, zh-TW,
# de, es; the rest fall to "other" only when they lack an "AUTHOR:" part.
_SERVICE_PHRASES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (action, re.compile(pattern))
    for action, pattern in (
        ("security_code_changed", r"security code .*changed|安全码已更改|安全碼已變更"),
        (
            "group_created",
            r"created (?:the )?group|创建了群|建立了群組|hat die Gruppe|creó el grupo",
        ),
        ("member_joined", r"joined using|通过.*邀请链接加入|已加入|加入了群|ist beigetreten"),
        ("member_added", r"\badded\b|were added|添加了|已添加|新增了|hinzugefügt|añadió"),
        ("member_removed", r"\bremoved\b|移除了|entfernt|eliminó a"),
        ("member_left", r" left$|已退出|退出了|ist ausgetreten|salió del grupo|^salió$"),
        (
            "group_changed",
            r"changed (?:the subject|this group's|the group)|更改了(?:群组|此群组|群組)"
            r"|修改了群|hat den Betreff",
        ),
        ("number_changed", r"changed (?:their phone number|to \+)|更改了电话号码|更换了号码"),
    )
)

# Whole-text placeholders (Android) and iOS "… omitted" lines.
_MEDIA_OMITTED = re.compile(
    r"<(?:Media omitted|Medien weggelassen|Multimedia omitido|Médias omis|省略多媒体文件"
    r"|省略影音内容|省略多媒體檔案|媒体已省略)>"
    r"|(?P<ios>image|video|audio|sticker|GIF|document|Contact card) omitted"
)
_ATTACHED = re.compile(r"<(?:attached|附件)[:：] ?(?P<file>[^<>]+)>")
_FILE_ATTACHED = re.compile(r"(?P<file>\S[^\n]*?) \((?:file attached|文件已附加|Datei angehängt)\)")
_FILE_KINDS = (
    ("PHOTO", "photo"),
    ("IMG", "photo"),
    ("VIDEO", "video"),
    ("VID", "video"),
    ("AUDIO", "audio"),
    ("AUD", "audio"),
    ("PTT", "audio"),
    ("STICKER", "sticker"),
    ("STK", "sticker"),
)
# One vocabulary with the Telegram reader and the <attached: …> file names.
_IOS_KINDS = {
    "image": "photo",
    "video": "video",
    "audio": "audio",
    "sticker": "sticker",
    "GIF": "gif",
    "document": "document",
    "Contact card": "contact",
}
_DELETED = frozenset(
    {
        "This message was deleted",
        "You deleted this message",
        "此消息已删除",
        "你删除了此消息",
        "您删除了此消息",
        "此訊息已刪除",
        "Diese Nachricht wurde gelöscht.",
        "Se eliminó este mensaje.",
    }
)
_EDITED = re.compile(
    r" ?<(?:This message was edited|此消息已编辑|已编辑此消息|Diese Nachricht wurde bearbeitet"
    r"|Se editó este mensaje\.)>$"
)
_AUTHOR = re.compile(r"(?P<author>[^:]{1,120}?): ?(?P<text>.*)", re.DOTALL)


# The notice WhatsApp puts first, usually attributed to the chat's name ("Chat: Messages
# and calls …"), so it is matched at the start of the text whoever seems to say it.
_E2E = re.compile(
    r"(?:Messages and calls are end-to-end|Messages (?:you send )?to this (?:group|chat)"
    r"|消息和通话已进行端到端加密|您发送到此群组的消息|訊息和通話皆|"
    r"Nachrichten und Anrufe sind Ende-zu-Ende|Los mensajes y las llamadas)"
)


def is_notice(text: str) -> bool:
    return _E2E.match(text) is not None


def service_action(rest: str, author: tuple[str, str] | None) -> str | None:
    """The action of a system line, or None when it is something a person wrote.

    ``author`` is the ``AUTHOR: TEXT`` split of ``rest`` if it has one; a phrase only
    counts when it lies before that colon, so "Bob: I left" stays Bob's message.
    """
    if is_notice(rest) or (author is not None and is_notice(author[1])):
        return "encryption_notice"
    colon = len(author[0]) if author is not None else None
    for action, pattern in _SERVICE_PHRASES:
        hit = pattern.search(rest)
        if hit is not None and (colon is None or hit.start() < colon):
            return action
    return None if colon is not None else "other"


def split_author(rest: str) -> tuple[str, str] | None:
    m = _AUTHOR.match(rest)
    return (m["author"], m["text"]) if m else None


def _file_kind(name: str) -> str:
    upper = name.upper()
    for token, kind in _FILE_KINDS:
        if token in upper:
            return kind
    return "document"


def strip_markers(text: str) -> tuple[str, str | None, dict[str, str]]:
    """Remove media, deleted and edited markers: (text, media_kind, attrs)."""
    attrs: dict[str, str] = {}
    edited = _EDITED.search(text)
    if edited:
        text = text[: edited.start()]
        attrs["edited"] = "true"
    if text.strip() in _DELETED:
        attrs["deleted"] = "true"
        return "", None, attrs
    first, sep, tail = text.partition("\n")
    media: str | None = None
    # Placeholders fill the whole line; "the image omitted from …" is somebody's sentence.
    if m := _MEDIA_OMITTED.fullmatch(first.strip()):
        media = _IOS_KINDS.get(m["ios"] or "", "media")
        first = ""
    elif m := _ATTACHED.search(first):
        media, attrs["file"] = _file_kind(m["file"]), m["file"].strip()
        first = first[: m.start()] + first[m.end() :]
    elif m := _FILE_ATTACHED.fullmatch(first.strip()):
        media, attrs["file"] = _file_kind(m["file"]), m["file"].strip()
        first = ""
    if media is None:
        return text, None, attrs
    return (first.strip() + sep + tail).strip(), media, attrs


# ---- the chat's name -------------------------------------------------------------------
_CHAT_NAMES = (
    re.compile(r"WhatsApp Chat (?:with|-) (?P<name>.+)"),
    re.compile(r"WhatsApp-Chat mit (?P<name>.+)"),
    re.compile(r"Chat de WhatsApp con (?P<name>.+)"),
    re.compile(r"与(?P<name>.+)的 ?WhatsApp ?聊天"),
    re.compile(r"與(?P<name>.+)的 ?WhatsApp ?(?:對話|聊天)"),
)


def chat_name_from_file(stem: str) -> str | None:
    """The chat name WhatsApp put in the export's file name, if it did."""
    stem = re.sub(r" \(\d+\)$", "", normalise(stem).strip())  # "… (1)" from re-downloads
    for pattern in _CHAT_NAMES:
        if m := pattern.fullmatch(stem):
            return m["name"].strip()
    return None


def chat_key(name: str) -> str:
    """A key for the chat that survives case, width and spacing differences."""
    folded = unicodedata.normalize("NFKC", normalise(name)).casefold()
    return "chat:" + " ".join(folded.split())
