"""Field-level mapping of DiscordChatExporter (DCE) JSON onto the canonical records.

Pure functions over one parsed message object, kept apart from the streaming reader in
:mod:`jianghu.sources.discord_export` so each can be read and tested on its own. Every
key is read with ``.get()``: DCE added keys over the years (FORMATS.md §2), so an old
export simply lacks them.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from jianghu.records import AuthorRef, TextEntity
from jianghu.sources.json_export import Reject

DISCORD_EPOCH_MS = 1420070400000

# DCE names the kinds it knows; any other kind is written as its number. Kinds 1-18 are
# system notifications (DCE's own IsSystemNotification test). 19 (Reply), 20 (reply to a
# slash command) and 23 (context-menu command) are authored text, often a shop bot's
# price list, so they must stay messages: a service record is never read as an offer.
_AUTHORED_TYPES = frozenset({"Default", "Reply", "0", "19", "20", "23"})
_IMAGE_EXTENSIONS = frozenset(
    {"png", "jpg", "jpeg", "gif", "webp", "bmp", "heic", "heif", "avif", "tif", "tiff"}
)
# Simple on purpose: ASCII URL characters only, so that a URL glued to Chinese text
# ("https://t.me/abc联系我") ends where the Chinese starts. Links are never fetched.
_URL = re.compile(r"(?:https?://|www\.)[A-Za-z0-9\-._~:/?#@!$&'*+,;=%()\[\]]+")
_URL_TRAILING = ".,;:!?'"
_OPENER = {")": "(", "]": "["}


def message_kind(type_: str) -> tuple[bool, str | None]:
    """(is a service record, action name) for a DCE message ``type``."""
    if type_ in _AUTHORED_TYPES:
        return False, None
    return True, type_


def snowflake_time(snowflake: str) -> datetime:
    """The creation time inside a snowflake id; ValueError for an id too large to hold one."""
    ms = (int(snowflake) >> 22) + DISCORD_EPOCH_MS
    try:
        return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=ms)
    except OverflowError as exc:
        raise ValueError(f"snowflake {snowflake} holds no time in range") from exc


def parse_time(value: Any) -> tuple[datetime | None, bool]:
    """An ISO-8601 time as UTC, and whether the zone had to be assumed.

    DCE writes the exporter's local offset (``--utc`` aside) and a variable number of
    fraction digits; both are fine for ``fromisoformat`` from Python 3.11 on. Raises
    ValueError for text that is not a time.
    """
    if value is None or value == "":
        return None, False
    if not isinstance(value, str):
        raise ValueError(f"not a string: {value!r}")
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:  # not written by DCE, but hand-made exports do this
        return parsed.replace(tzinfo=UTC), True
    try:
        return parsed.astimezone(UTC), False
    except OverflowError as exc:  # an offset pushed year 1 or 9999 out of range
        raise ValueError(f"out of range: {value!r}") from exc


def author_ref(author: Any) -> AuthorRef | None:
    if not isinstance(author, dict):
        return None
    user_id = author.get("id")
    name = author.get("name")
    handle = str(name) if name else None
    discriminator = str(author.get("discriminator") or "0000")
    # Discord dropped discriminators in 2023 ("0000" since); where one exists it is
    # part of the old-style unique handle.
    if handle and discriminator not in ("0000", "0"):
        handle = f"{handle}#{discriminator}"
    display = author.get("nickname") or name
    return AuthorRef(
        platform_id=f"user{user_id}" if user_id not in (None, "") else None,
        display_name=str(display) if display else None,
        handle=handle,
    )


def dicts(obj: dict[str, Any], key: str) -> list[dict[str, Any]]:
    """The objects in a list field; absent (old export) or null is an empty list."""
    value = obj.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise Reject(f"expected a list in '{key}', found {type(value).__name__}")
    return [item for item in value if isinstance(item, dict)]


def content_of(obj: dict[str, Any]) -> str:
    content = obj.get("content")
    if content is None:
        return ""
    if not isinstance(content, str):
        raise Reject(f"expected a string 'content', found {type(content).__name__}")
    return content


def embed_texts(embeds: list[dict[str, Any]]) -> list[str]:
    """Searchable text of each embed: title, description and fields, one per line.

    Link previews repeat the page title, but bots post their whole message as an embed
    (price lists in fields included), so without this their text would be invisible.
    """
    texts = []
    for embed in embeds:
        lines = [str(embed.get(k) or "").strip() for k in ("title", "description")]
        for field in dicts(embed, "fields"):
            name, value = str(field.get("name") or ""), str(field.get("value") or "")
            lines.append(f"{name}: {value}" if name and value else name or value)
        text = "\n".join(line for line in lines if line)
        if text:
            texts.append(text)
    return texts


def media_kind(
    attachments: list[dict[str, Any]], stickers: list[dict[str, Any]], embeds: bool
) -> str | None:
    if attachments:
        names = [str(a.get("fileName") or "") for a in attachments]
        images = all("." in n and n.rsplit(".", 1)[1].lower() in _IMAGE_EXTENSIONS for n in names)
        return "image" if images else "attachment"
    if stickers:
        return "sticker"
    return "embed" if embeds else None


def add_attrs(
    obj: dict[str, Any],
    attachments: list[dict[str, Any]],
    stickers: list[dict[str, Any]],
    attrs: dict[str, str],
) -> None:
    """The extras an analyst filters on, as short strings; absent ones are left out."""
    if obj.get("isPinned"):
        attrs["pinned"] = "true"
    author = obj.get("author")
    if isinstance(author, dict) and author.get("isBot"):
        attrs["author_is_bot"] = "true"
    reactions = dicts(obj, "reactions")
    if reactions:
        attrs["reactions"] = reactions_summary(reactions)
    if attachments:
        attrs["attachments"] = ", ".join(str(a.get("fileName") or "?") for a in attachments)
    if stickers:
        attrs["stickers"] = ", ".join(str(s.get("name") or "?") for s in stickers)
    interaction = obj.get("interaction")
    if isinstance(interaction, dict) and interaction.get("name"):
        attrs["interaction"] = str(interaction["name"])
    if obj.get("callEndedTimestamp"):
        attrs["call_ended_at"] = str(obj["callEndedTimestamp"])


def reactions_summary(reactions: list[dict[str, Any]]) -> str:
    parts = []
    for reaction in reactions:
        emoji = reaction.get("emoji")
        name = emoji.get("name") if isinstance(emoji, dict) else None
        parts.append(f"{name or '?'}:{reaction.get('count', 0)}")
    return ",".join(parts)


def entities(text: str, content_len: int, mentions: list[dict[str, Any]]) -> list[TextEntity]:
    """Mentions (in the message's own content) and links (anywhere in the text).

    DCE renders ``<@id>`` as ``@`` plus the user's display name, so a mentioned user is
    found by searching for ``@nickname`` and ``@name``; longer names first, so that
    ``@Tom`` does not claim the start of ``@Tommy``.
    """
    found: list[TextEntity] = []
    taken: list[tuple[int, int]] = []
    content = text[:content_len]
    names: list[tuple[str, str]] = []
    for user in mentions:
        user_id = str(user.get("id") or "")
        for key in ("nickname", "name"):
            if user.get(key):
                names.append(("@" + str(user[key]), user_id))
    for needle, user_id in sorted(names, key=lambda n: -len(n[0])):
        for m in re.finditer(re.escape(needle), content):
            span = (m.start(), m.end())
            if any(s < span[1] and span[0] < e for s, e in taken):
                continue
            taken.append(span)
            found.append(TextEntity("mention_name", *span, needle, user_id=user_id or None))
    for m in _URL.finditer(text):
        url = _trim_url(m.group())
        href = url if "://" in url else "http://" + url
        found.append(TextEntity("link", m.start(), m.start() + len(url), url, href=href))
    return sorted(found, key=lambda e: (e.start, e.end))


def _trim_url(url: str) -> str:
    """Drop sentence punctuation and an unbalanced closing bracket after a URL."""
    while url:
        last = url[-1]
        unbalanced = last in _OPENER and url.count(_OPENER[last]) < url.count(last)
        if last not in _URL_TRAILING and not unbalanced:
            break
        url = url[:-1]
    return url
