"""DiscordChatExporter (DCE) JSON reader: one channel per file (``--format Json``).

Streams the file: ``guild`` and ``channel`` first (DCE writes them before ``messages``),
then each message captured and parsed on its own, so a multi-gigabyte export needs memory
for one message only. Field mapping lives in :mod:`jianghu.sources.discord_fields`.

Decisions worth knowing when reading the records:

* Channel key ``guild<g>:channel<c>``; direct messages (guild ``"0"``) ``dm:channel<c>``.
* Types 1-18 (joins, pins, calls, renames …) and unknown types are ``service`` records
  with ``action`` = the type; Default, Reply and the numeric kinds that carry authored
  text (20 slash-command replies, 23 context-menu replies) are messages.
* ``text`` is the content, then a forwarded message's content, then each embed's
  title/description/fields, joined by blank lines; ``attrs`` says what was appended and
  ``content_length`` where the author's own words end.
* A reply in the same channel points at the message id; one in another channel at
  ``<channelId>:<messageId>``. A forward (2.47+) sets ``forwarded_from_id`` to the source
  channel's key and ``forwarded_from`` to ``<that key>:<messageId>``.
* A broken ``timestamp`` falls back to the time inside the snowflake id (noted in attrs).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from jianghu.errors import SourceFormatError
from jianghu.records import ChannelRef, Message, SourceRef
from jianghu.sources import discord_fields as f
from jianghu.sources.base import ReaderSpec, register_reader
from jianghu.sources.json_export import JsonExportReader, Reject, loads, parse_record
from jianghu.sources.json_stream import JsonStream

PLATFORM = "discord"
_DM_GUILDS = frozenset({"0", ""})


def _channel_key(guild_id: Any, channel_id: str) -> str:
    if guild_id is None or str(guild_id) in _DM_GUILDS:
        return f"dm:channel{channel_id}"
    return f"guild{guild_id}:channel{channel_id}"


def _str(value: Any) -> str | None:
    return None if value is None else str(value)


class DiscordExport(JsonExportReader):
    """Reads one DiscordChatExporter JSON export file."""

    platform = PLATFORM
    export_name = "a DiscordChatExporter export"

    # ---- document structure ------------------------------------------------------------
    def _read_root(self, js: JsonStream) -> Iterator[Message]:
        header: dict[str, Any] = {}
        found = False
        for key in js.iter_object():
            if key in ("guild", "channel"):
                header[key] = self._parse_object(js, key)
            elif key == "messages":
                found = True
                js.peek()  # so that errors point at the array, not the space before it
                if "channel" not in header:
                    # Not how DCE writes it, but a re-serialised export may sort keys: find
                    # the header in a second pass that skips (never keeps) the messages.
                    header = self._header_after_messages()
                yield from self._read_messages(js, self._channel(header, js))
            else:
                js.skip()  # dateRange, exportedAt, messageCount and anything newer
        if not found:
            raise SourceFormatError(
                self.path,
                1,
                1,
                "expected a DiscordChatExporter export: an object with 'guild', 'channel' "
                "and 'messages'",
            )

    def _parse_object(self, js: JsonStream, key: str) -> dict[str, Any]:
        raw, offset = js.capture()
        try:
            value = loads(raw)
        except ValueError as exc:
            raise js.error(f"invalid JSON in '{key}': {exc}", offset) from exc
        if not isinstance(value, dict):
            raise js.error(f"expected an object in '{key}'", offset)
        return value

    def _header_after_messages(self) -> dict[str, Any]:
        header: dict[str, Any] = {}
        with self._file.open("rb") as fp:
            js = JsonStream(fp, self.path)
            for key in js.iter_object():
                if key in ("guild", "channel"):
                    header[key] = self._parse_object(js, key)
                else:
                    js.skip()
        return header

    def _channel(self, header: dict[str, Any], js: JsonStream) -> ChannelRef:
        channel, guild = header.get("channel"), header.get("guild") or {}
        if not isinstance(channel, dict) or not channel.get("id"):
            raise js.error("expected a 'channel' object with an 'id' before the messages")
        channel_id = str(channel["id"])
        guild_id = _str(guild.get("id"))
        is_dm = guild_id is None or guild_id in _DM_GUILDS
        # DCE fills a DM's category with a placeholder ("Private", "Group"); the kind
        # already says that, so a DM's name is just "Direct Messages / <name>".
        parts = [guild.get("name"), None if is_dm else channel.get("category"), channel.get("name")]
        name = " / ".join(str(p) for p in parts if p) if channel.get("name") else None
        kind = str(channel.get("type") or "unknown")
        return ChannelRef(PLATFORM, _channel_key(guild_id, channel_id), channel_id, name, kind)

    def _read_messages(self, js: JsonStream, channel: ChannelRef) -> Iterator[Message]:
        return self._read_records(js, channel, "messages", loads)

    # ---- one message -------------------------------------------------------------------
    def _message(self, raw: bytes, parsed: Any, channel: ChannelRef, source: SourceRef) -> Message:
        obj = parsed if parsed is not None else parse_record(raw)
        if not isinstance(obj, dict):
            raise Reject(f"expected a message object, found {type(obj).__name__}")
        msg_id = obj.get("id")
        if not isinstance(msg_id, str) or not (msg_id.isascii() and msg_id.isdigit()):
            raise Reject(f"expected a snowflake string 'id', found {msg_id!r}")
        attrs: dict[str, str] = {}
        type_ = str(obj.get("type") or "Default")
        is_service, action = f.message_kind(type_)
        if not is_service and type_ not in ("Default", "Reply"):
            attrs["discord_type"] = type_  # authored text of a kind DCE has no name for
        posted_at = self._posted_at(obj, msg_id, attrs)
        try:
            edited_at, _ = f.parse_time(obj.get("timestampEdited"))
        except ValueError:
            edited_at = None
            attrs["timestamp_edited_invalid"] = str(obj.get("timestampEdited"))
        content = f.content_of(obj)
        attachments, stickers = f.dicts(obj, "attachments"), f.dicts(obj, "stickers")
        embeds = f.dicts(obj, "embeds")
        parts = [content]
        reply_to, forwarded_from, forwarded_from_id, forward = self._links(obj, channel, attrs)
        if forward is not None:
            # A forward's own content is usually empty; what was forwarded is the text
            # analysts search, so it joins the text as if the forwarder had written it.
            parts.append(f.content_of(forward))
            attachments = attachments + f.dicts(forward, "attachments")
            stickers = stickers + f.dicts(forward, "stickers")
            embeds = embeds + f.dicts(forward, "embeds")
        embed_texts = f.embed_texts(embeds)
        if embed_texts:
            attrs["embed_text_appended"] = str(len(embed_texts))
        text = "\n\n".join(p for p in (*parts, *embed_texts) if p)
        if len(text) != len(content):
            attrs["content_length"] = str(len(content))
        f.add_attrs(obj, attachments, stickers, attrs)
        return Message(
            platform=PLATFORM,
            channel=channel,
            message_id=msg_id,
            kind="service" if is_service else "message",
            author=f.author_ref(obj.get("author")),
            posted_at=posted_at,
            edited_at=edited_at,
            text=text,
            entities=tuple(f.entities(text, len(content), f.dicts(obj, "mentions"))),
            raw=raw.decode("utf-8"),
            source=source,
            reply_to=reply_to,
            forwarded_from=forwarded_from,
            forwarded_from_id=forwarded_from_id,
            media_kind=f.media_kind(attachments, stickers, bool(embeds)),
            action=action,
            attrs=attrs,
        )

    def _posted_at(self, obj: dict[str, Any], msg_id: str, attrs: dict[str, str]) -> datetime:
        try:
            posted_at, assumed = f.parse_time(obj.get("timestamp"))
        except ValueError:
            posted_at, assumed = None, False
        if assumed:
            attrs["timestamp_assumed_utc"] = "true"
        if posted_at is None:
            # The snowflake holds the creation time to the millisecond, so a broken
            # timestamp costs nothing but is noted for whoever audits the record.
            attrs["posted_at_from"] = "snowflake"
            if obj.get("timestamp") is not None:
                attrs["timestamp_invalid"] = str(obj["timestamp"])
            try:
                posted_at = f.snowflake_time(msg_id)
            except ValueError as exc:
                raise Reject(
                    f"expected a 'timestamp' or a snowflake 'id' with a time: {exc}"
                ) from exc
        return posted_at

    def _links(
        self, obj: dict[str, Any], channel: ChannelRef, attrs: dict[str, str]
    ) -> tuple[str | None, str | None, str | None, dict[str, Any] | None]:
        """(reply_to, forwarded_from, forwarded_from_id, forwarded message object)."""
        reference = obj.get("reference")
        reference = reference if isinstance(reference, dict) else {}
        forward = obj.get("forwardedMessage")
        forward = forward if isinstance(forward, dict) else None
        ref_channel, ref_message = _str(reference.get("channelId")), reference.get("messageId")
        if reference.get("type") == "Forward" or forward is not None:
            attrs["forwarded"] = "true"
            if forward is not None and forward.get("timestamp"):
                attrs["forwarded_posted_at"] = str(forward["timestamp"])
            if not ref_channel:
                return None, None, None, forward
            # The source channel keyed like ours, so it joins a channel read elsewhere.
            key = _channel_key(reference.get("guildId"), ref_channel)
            if not ref_message:
                return None, key, key, forward
            attrs["forwarded_message_id"] = str(ref_message)
            return None, f"{key}:{ref_message}", key, forward
        if not ref_message:
            if ref_channel:  # ThreadCreated points at the new thread
                attrs["reference_channel_id"] = ref_channel
            return None, None, None, None
        if ref_channel and ref_channel != channel.platform_id:
            # Message ids are keyed per channel, so a reply elsewhere names its channel.
            return f"{ref_channel}:{ref_message}", None, None, None
        return str(ref_message), None, None, None


def _sniff(path: Path, head: bytes) -> bool:
    """A DCE export is a JSON object whose first key is ``guild``."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    return text.startswith(b"{") and text[1:].lstrip().startswith(b'"guild"')


def _open(path: Path, options: dict[str, str]) -> DiscordExport:
    return DiscordExport(path)


register_reader(ReaderSpec(name="discord-json", sniff=_sniff, open=_open))
