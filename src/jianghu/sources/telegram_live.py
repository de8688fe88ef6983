"""Telethon messages → jianghu Messages, exactly as the tdesktop export reader makes them.

An export and a live collection of the same chat must be one chat with no duplicates, so
every key, id, offset and name here follows what ``telegram_export`` reads from tdesktop's
``result.json``: channel keys (``channel<id>``, or ``acct<account>:<type>:<id>`` where ids
are per account), code-point entity offsets (Telegram counts UTF-16 units), entities
flattened the way tdesktop flattens them, ``user<id>``/``channel<id>`` authors, media kinds
and service action names as tdesktop writes them.

Pure functions of Telethon's own objects: no client and no network, so tests build real
``telethon.tl.types`` objects offline. Telethon is imported only by callers.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from jianghu.records import AuthorRef, ChannelRef, Message, MessageKind, SourceRef, TextEntity

PLATFORM = "telegram"  # as telegram_export writes it; the tests compare whole records

INSTALL_HINT = "live Telegram collection needs Telethon: pip install 'jianghu[telegram]'"

# Telethon entity class → tdesktop's name (export_output_json.cpp).
_ENTITY_TYPES = {
    "MessageEntityUnknown": "unknown",
    "MessageEntityMention": "mention",
    "MessageEntityHashtag": "hashtag",
    "MessageEntityCashtag": "cashtag",
    "MessageEntityBotCommand": "bot_command",
    "MessageEntityUrl": "link",
    "MessageEntityEmail": "email",
    "MessageEntityPhone": "phone",
    "MessageEntityBankCard": "bank_card",
    "MessageEntityBold": "bold",
    "MessageEntityItalic": "italic",
    "MessageEntityUnderline": "underline",
    "MessageEntityStrike": "strikethrough",
    "MessageEntitySpoiler": "spoiler",
    "MessageEntityCode": "code",
    "MessageEntityPre": "pre",
    "MessageEntityTextUrl": "text_link",
    "MessageEntityMentionName": "mention_name",
    "InputMessageEntityMentionName": "mention_name",
    "MessageEntityBlockquote": "blockquote",
    "MessageEntityCustomEmoji": "custom_emoji",
}

# Telethon action class → tdesktop's ``action``; unlisted ones are snake-cased (below).
_ACTIONS = {
    "MessageActionChatCreate": "create_group",
    "MessageActionChatEditTitle": "edit_group_title",
    "MessageActionChatEditPhoto": "edit_group_photo",
    "MessageActionChatDeletePhoto": "delete_group_photo",
    "MessageActionChatAddUser": "invite_members",
    "MessageActionChatDeleteUser": "remove_members",
    "MessageActionChatJoinedByLink": "join_group_by_link",
    "MessageActionChannelCreate": "create_channel",
    "MessageActionChatMigrateTo": "migrate_to_supergroup",
    "MessageActionChannelMigrateFrom": "migrate_from_group",
    "MessageActionPinMessage": "pin_message",
    "MessageActionHistoryClear": "clear_history",
    "MessageActionGameScore": "score_in_game",
    "MessageActionPaymentSent": "send_payment",
    "MessageActionPhoneCall": "phone_call",
    "MessageActionScreenshotTaken": "take_screenshot",
    "MessageActionContactSignUp": "joined_telegram",
    "MessageActionGeoProximityReached": "proximity_reached",
    "MessageActionGroupCall": "group_call",
    "MessageActionInviteToGroupCall": "invite_to_group_call",
    "MessageActionSetMessagesTTL": "set_messages_ttl",
    "MessageActionGroupCallScheduled": "group_call_scheduled",
    "MessageActionSetChatTheme": "edit_chat_theme",
    "MessageActionChatJoinedByRequest": "join_group_by_request",
    "MessageActionTopicCreate": "topic_created",
    "MessageActionTopicEdit": "topic_edit",
    "MessageActionRequestedPeer": "requested_peer",
    "MessageActionSuggestProfilePhoto": "suggest_profile_photo",
}
# Service messages whose export carries a ``photo`` key, which the reader sees as media.
_PHOTO_ACTIONS = frozenset({"MessageActionChatEditPhoto", "MessageActionSuggestProfilePhoto"})

# Media class → the reader's media_kind; None where tdesktop writes no media key.
_MEDIA = {
    "MessageMediaPhoto": "photo",
    "MessageMediaContact": "contact",
    "MessageMediaGeo": "location",
    "MessageMediaGeoLive": "location",
    "MessageMediaVenue": "location",
    "MessageMediaPoll": "poll",
    "MessageMediaToDo": "todo_list",
    "MessageMediaGame": "game",
    "MessageMediaInvoice": "invoice",
    "MessageMediaGiveaway": "giveaway",
    "MessageMediaPaidMedia": "paid_media",
}


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def action_name(action: Any) -> str | None:
    """tdesktop's name of a service action; a custom action has none (it has only text)."""
    cls = type(action).__name__
    if cls == "MessageActionCustomAction":
        return None
    return _ACTIONS.get(cls) or _snake(cls.removeprefix("MessageAction"))


def _document_kind(document: Any) -> str:
    """tdesktop tests the attribute flags in this order, so a GIF (animated + video) is
    an animation and a video sticker is a sticker."""
    flags: set[str] = set()
    for attr in getattr(document, "attributes", None) or ():
        cls = type(attr).__name__
        if cls == "DocumentAttributeSticker":
            flags.add("sticker")
        elif cls == "DocumentAttributeVideo":
            flags.add("video_message" if getattr(attr, "round_message", False) else "video_file")
        elif cls == "DocumentAttributeAudio":
            flags.add("voice_message" if getattr(attr, "voice", False) else "audio_file")
        elif cls == "DocumentAttributeAnimated":
            flags.add("animation")
    order = ("sticker", "video_message", "voice_message", "animation", "video_file", "audio_file")
    return next((kind for kind in order if kind in flags), "document")


def media_kind(msg: Any) -> str | None:
    action = getattr(msg, "action", None)
    if action is not None:
        return "photo" if type(action).__name__ in _PHOTO_ACTIONS else None
    media = getattr(msg, "media", None)
    if media is None:
        return None
    cls = type(media).__name__
    if cls == "MessageMediaDocument":
        return _document_kind(media.document) if media.document is not None else "document"
    return _MEDIA.get(cls)


# ---- text -------------------------------------------------------------------------------
def _utf16_to_cp(text: str) -> list[int]:
    """Index i: the code-point offset of UTF-16 offset i (one past the end included)."""
    table: list[int] = []
    for cp, ch in enumerate(text):
        table.append(cp)
        if ord(ch) > 0xFFFF:
            table.append(cp)  # the low surrogate's offset falls inside the same code point
    table.append(len(text))
    return table


def text_entities(text: str, entities: Any) -> tuple[TextEntity, ...]:
    """Entities with code-point offsets, flattened as tdesktop flattens them: one that
    starts inside an earlier one is dropped, so spans never overlap."""
    table = _utf16_to_cp(text)
    limit = len(table) - 1
    out: list[TextEntity] = []
    cursor = 0  # UTF-16 offset where the last kept entity ended
    for ent in entities or ():
        start, length = int(ent.offset), int(ent.length)
        if start < cursor or length <= 0 or start >= limit:
            continue
        end = min(start + length, limit)
        cursor = end
        etype = _ENTITY_TYPES.get(type(ent).__name__, "unknown")
        piece = text[table[start] : table[end]]
        if not piece:
            continue
        user_id = getattr(ent, "user_id", None) if etype == "mention_name" else None
        out.append(
            TextEntity(
                type=etype,
                start=table[start],
                end=table[end],
                text=piece,
                href=getattr(ent, "url", None) if etype == "text_link" else None,
                user_id=None if user_id is None else str(user_id),
            )
        )
    return tuple(out)


# ---- peers and chats --------------------------------------------------------------------
def peer_key(peer: Any) -> str | None:
    """A Peer as tdesktop writes ``from_id``: ``user123``, ``chat123``, ``channel123``."""
    for attr, prefix in (("user_id", "user"), ("channel_id", "channel"), ("chat_id", "chat")):
        value = getattr(peer, attr, None)
        if value is not None:
            return f"{prefix}{value}"
    return None


def display_name(entity: Any) -> str | None:
    """A user's full name or a chat's title; None for deleted accounts."""
    if entity is None:
        return None
    title = getattr(entity, "title", None)
    if title is not None:
        return str(title)
    if getattr(entity, "deleted", False):
        return None
    parts = [getattr(entity, "first_name", None), getattr(entity, "last_name", None)]
    name = " ".join(p for p in parts if p)
    return name or None


def entity_key(entity: Any) -> str:
    """The ``from_id``-style key of a User, Chat or Channel."""
    cls = type(entity).__name__
    prefix = "user" if cls.startswith("User") else "channel" if "Channel" in cls else "chat"
    return f"{prefix}{entity.id}"


def chat_type(entity: Any, account: str | None = None) -> str:
    """tdesktop's chat ``type``; "public" means the chat has a username."""
    cls = type(entity).__name__
    public = bool(getattr(entity, "username", None)) or any(
        getattr(u, "active", False) for u in getattr(entity, "usernames", None) or ()
    )
    if cls in ("Channel", "ChannelForbidden"):
        if getattr(entity, "megagroup", False):
            return "public_supergroup" if public else "private_supergroup"
        return "public_channel" if public else "private_channel"
    if cls in ("Chat", "ChatForbidden", "ChatEmpty"):
        return "private_group"
    if getattr(entity, "is_self", False) or (account is not None and str(entity.id) == account):
        return "saved_messages"
    return "bot_chat" if getattr(entity, "bot", False) else "personal_chat"


def channel_ref(entity: Any, account: str | None) -> ChannelRef:
    """The chat as the export reader keys it (see ``TelegramExport._channel``)."""
    kind = chat_type(entity, account)
    chat_id = str(entity.id)
    if kind.endswith(("_channel", "_supergroup")):
        key = f"channel{chat_id}"
    else:
        key = f"acct{account or 'unknown'}:{kind}:{chat_id}"
    # A personal chat is named by the user's first name only, as tdesktop names it.
    name = getattr(entity, "first_name", None) if kind.endswith("_chat") else display_name(entity)
    if kind == "saved_messages":
        name = None
    return ChannelRef(PLATFORM, key, chat_id, name, kind)


# ---- the record -------------------------------------------------------------------------
def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(bytes(value)).decode("ascii")
    return repr(value)


def raw_json(msg: Any) -> str:
    return json.dumps(msg.to_dict(), default=_jsonable, ensure_ascii=False, sort_keys=False)


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC)


def _author(msg: Any, chat: Any, account: str | None, names: Mapping[str, str]) -> AuthorRef:
    """``from_id``, or the chat itself when there is none (channel posts, anonymous admins,
    incoming private messages), or the account for its own private messages."""
    key = peer_key(msg.from_id) if getattr(msg, "from_id", None) is not None else None
    if key is None:
        if getattr(msg, "out", False) and account and chat_type(chat, account).endswith("_chat"):
            key = f"user{account}"
        else:
            key = peer_key(msg.peer_id) or entity_key(chat)
    name = names.get(key)
    if name is None:
        sender = getattr(msg, "sender", None)
        if sender is not None and entity_key(sender) == key:
            name = display_name(sender)
        elif key == entity_key(chat):
            name = display_name(chat)
    return AuthorRef(key, name)


def to_message(
    msg: Any, chat: Any, account: str | None, names: Mapping[str, str] | None = None
) -> Message:
    """One Telethon Message or MessageService in ``chat`` (a User, Chat or Channel) as the
    export reader would read it. ``account`` is the collecting account's user id;
    ``names`` maps ``user123``-style keys to display names the caller has resolved."""
    names = names or {}
    channel = channel_ref(chat, account)
    service = getattr(msg, "action", None) is not None
    kind: MessageKind = "service" if service else "message"
    text = "" if service else str(getattr(msg, "message", None) or "")
    attrs: dict[str, str] = {}
    if getattr(msg, "post_author", None):
        attrs["author"] = str(msg.post_author)
    reply_to = getattr(msg, "reply_to", None)
    reply_id = getattr(reply_to, "reply_to_msg_id", None)  # story replies have none
    reply = None if reply_id is None else str(reply_id)
    reply_peer = peer_key(getattr(reply_to, "reply_to_peer_id", None))
    if reply is not None and reply_peer is not None:
        attrs["reply_to_peer_id"] = reply_peer
    fwd = getattr(msg, "fwd_from", None)
    fwd_id = peer_key(fwd.from_id) if fwd is not None and fwd.from_id is not None else None
    fwd_name = None
    if fwd is not None:
        fwd_name = fwd.from_name or (names.get(fwd_id) if fwd_id else None)
        if fwd_name is None:  # Telethon resolves the original sender when it can
            forward = getattr(msg, "forward", None)
            origin = getattr(forward, "sender", None) or getattr(forward, "chat", None)
            fwd_name = display_name(origin)
        if fwd.saved_from_peer is not None:
            saved = peer_key(fwd.saved_from_peer)
            attrs["saved_from"] = names.get(saved or "", saved or "")
    return Message(
        platform=PLATFORM,
        channel=channel,
        message_id=str(msg.id),
        kind=kind,
        author=_author(msg, chat, account, names),
        posted_at=_utc(msg.date) or datetime.fromtimestamp(0, UTC),
        edited_at=_utc(getattr(msg, "edit_date", None)),
        text=text,
        entities=() if service else text_entities(text, getattr(msg, "entities", None)),
        raw=raw_json(msg),
        source=SourceRef(
            f"telegram:live:{channel.platform_id}",
            0,
            0,
            int(msg.id),
            f"live {channel.key}/{msg.id}",
        ),
        reply_to=reply,
        forwarded_from=fwd_name,
        forwarded_from_id=fwd_id,
        media_kind=media_kind(msg),
        action=action_name(msg.action) if service else None,
        attrs=attrs,
    )
