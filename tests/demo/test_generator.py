"""The demo corpus is a faithful Telegram Desktop export of realistic underground chats.

One export of N messages is written once per module and read by most tests; the
determinism tests write their own, smaller ones.
"""

from __future__ import annotations

import json
import random
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from jianghu.demo import DemoSummary, write_demo_export
from jianghu.demo.tron import b58encode, is_tron_address, tron_address
from jianghu.errors import ConfigError

N = 3000
BASE = datetime(2026, 3, 1, tzinfo=UTC)
LOCAL_OFFSET = timedelta(hours=8)  # the demo's exporting PC; see tdjson.LOCAL_UTC_OFFSET

# FORMATS.md 1.2: tdesktop writes control characters as `\xNN`, which is not JSON. Repair
# an odd run of backslashes only, so that a literal `\\x41` typed by a user survives.
_BAD_ESCAPE = re.compile(rb"(?<!\\)((?:\\\\)*)\\x([0-9A-Fa-f]{2})")

# TAXONOMY.md's typical words, each of which must occur (after folding traditional
# characters back to simplified).
CATEGORY_WORDS = {
    "data_leak": ["料", "裤子", "社工库", "查档", "开房记录", "开盒", "定位", "数据"],
    "card_fraud": ["CVV", "全料", "卡头", "dump", "101", "201", "白卡", "外卡", "国内卡", "卡料"],
    "money_laundering": [
        "跑分", "承兑", "U商", "车队", "水房", "四件套", "对公账户", "卡农", "聚合码",
        "灰黑资金", "杀料",
    ],
    "fake_identity": ["证件", "护照", "身份证正反面", "手持", "PSD"],
    "kyc_bypass": ["代实名", "过人脸", "活体", "解封", "KYC", "代认证", "代开户"],
    "sim_sms": ["接码", "猫池", "卡商", "黑卡", "物联网卡", "流量卡", "短信通道", "三网通"],
    "account_trade": ["老号", "白号", "协议号", "tdata", "苹果ID", "支付宝账号"],
    "hacking_service": ["渗透", "拿站", "提权", "内网", "打D", "DDoS", "CC攻击", "撞库", "黑站"],
    "hacking_tool": [
        "远控", "免杀", "木马", "webshell", "冰蝎", "哥斯拉", "蚁剑", "0day", "exp", "CS",
        "beacon", "fscan", "frp", "嗅探",
    ],
    "fraud_service": ["杀猪盘", "话术", "钓鱼", "引流", "粉", "资金盘", "搭建"],
    "gambling": ["菠菜", "BC", "棋牌", "彩票", "真人", "代理"],
    "drugs": ["叶子", "猪肉", "邮票", "烟油", "埋包", "冰"],
    "escrow_guarantee": ["担保", "公群", "押金", "保证金", "专群"],
    "scam_report": ["曝光", "骗子", "跑路", "黑吃黑", "避雷", "被骗"],
}  # fmt: skip
INTENT_WORDS = {
    "sell": ["出", "售", "供", "接单"],
    "buy": ["收", "求购"],
    "recruit": ["招代理", "诚招"],
}


def repair(raw: bytes) -> bytes:
    return _BAD_ESCAPE.sub(rb"\1\\u00\2", raw)


@dataclass(frozen=True)
class Export:
    summary: DemoSummary
    raw: bytes
    doc: dict[str, Any]
    progress: list[int]

    def chats(self) -> list[dict[str, Any]]:
        return [*self.doc["chats"]["list"], *self.doc["left_chats"]["list"]]

    def messages(self, kind: str = "message") -> list[dict[str, Any]]:
        return [m for c in self.chats() for m in c["messages"] if m["type"] == kind]


def plain(message: dict[str, Any]) -> str:
    text = message["text"]
    if isinstance(text, str):
        return text
    return "".join(part if isinstance(part, str) else part["text"] for part in text)


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> Export:
    path = tmp_path_factory.mktemp("demo") / "result.json"
    seen: list[int] = []
    summary = write_demo_export(path, messages=N, seed=7, progress=seen.append)
    raw = path.read_bytes()
    return Export(summary, raw, json.loads(repair(raw)), seen)


@pytest.fixture(scope="module")
def simplified_text(export: Export) -> str:
    import opencc

    return str(opencc.OpenCC("t2s").convert("\n".join(plain(m) for m in export.messages())))


# --- determinism and bookkeeping ---------------------------------------------------------


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path: Path) -> None:
    first = write_demo_export(tmp_path / "a.json", messages=1200, seed=3)
    second = write_demo_export(tmp_path / "b.json", messages=1200, seed=3)
    other = write_demo_export(tmp_path / "c.json", messages=1200, seed=4)
    assert first.path.read_bytes() == second.path.read_bytes()
    assert first.path.read_bytes() != other.path.read_bytes()
    assert first.bytes_written == second.bytes_written


def test_summary_matches_the_file(export: Export) -> None:
    summary = export.summary
    lengths = [len(plain(m)) for m in export.messages()]
    assert summary.messages == N == len(lengths)
    assert summary.service_messages == len(export.messages("service")) > 0
    assert summary.chats == len(export.chats())
    assert summary.bytes_written == len(export.raw) == summary.path.stat().st_size
    assert summary.mean_text_length == pytest.approx(sum(lengths) / len(lengths))


def test_mean_text_length_is_realistic(export: Export) -> None:
    assert 100 <= export.summary.mean_text_length <= 140


def test_progress_is_reported_up_to_the_total(export: Export) -> None:
    assert export.progress == sorted(export.progress)
    assert export.progress[-1] == N


def test_zero_messages_still_a_valid_export(tmp_path: Path) -> None:
    summary = write_demo_export(tmp_path, messages=0)  # a directory gets result.json
    assert summary.path == tmp_path / "result.json"
    doc = json.loads(repair(summary.path.read_bytes()))
    assert summary.messages == 0
    assert all(m["type"] == "service" for c in doc["chats"]["list"] for m in c["messages"])


def test_negative_count_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="zero or more"):
        write_demo_export(tmp_path / "x.json", messages=-1)


# --- the file is what tdesktop writes ------------------------------------------------------


def test_full_account_export_root(export: Export) -> None:
    assert list(export.doc) == ["about", "personal_information", "chats", "left_chats"]
    assert list(export.doc["personal_information"]) == [
        "user_id", "first_name", "last_name", "phone_number", "username", "bio",
    ]  # fmt: skip
    assert len(export.doc["left_chats"]["list"]) == 1
    assert not export.raw.endswith(b"\n")
    assert export.raw.startswith(b'{\n "about": ')


def test_chat_objects_and_types(export: Export) -> None:
    types = Counter(c["type"] for c in export.chats())
    assert {"public_channel", "private_channel", "public_supergroup", "private_supergroup",
            "private_group"} <= set(types)  # fmt: skip
    assert types["personal_chat"] == 1
    for chat in export.chats():
        assert list(chat) == ["name", "type", "id", "messages"]
        assert isinstance(chat["id"], int) and chat["id"] > 0


def _td_string(value: str) -> str:
    out = []
    for ch in value:
        code = ord(ch)
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch in "\n\r\t":
            out.append({"\n": "\\n", "\r": "\\r", "\t": "\\t"}[ch])
        elif code < 0x20:
            out.append(f"\\x{code:02X}")
        elif code in (0x2028, 0x2029):
            out.append(f"\\u{code:04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _td_dump(value: Any, depth: int = 0) -> str:
    """An independent rendering of tdesktop's JsonWriter layout (export_output_json.cpp)."""
    pad, inner = "\n" + " " * depth, "\n" + " " * (depth + 1)
    if isinstance(value, dict):
        items = [f"{inner}{_td_string(k)}: {_td_dump(v, depth + 1)}" for k, v in value.items()]
        return "{" + ",".join(items) + pad + "}"
    if isinstance(value, list):
        if not value:
            return "[]"
        return "[" + ",".join(inner + _td_dump(v, depth + 1) for v in value) + pad + "]"
    if isinstance(value, str):
        return _td_string(value)
    return json.dumps(value)


def test_layout_is_byte_for_byte_tdesktop(export: Export) -> None:
    assert _td_dump(export.doc).encode() == export.raw


def test_dates_are_local_time_and_unixtime_strings(export: Export) -> None:
    for chat in export.chats():
        stamps = [int(m["date_unixtime"]) for m in chat["messages"]]
        assert stamps == sorted(stamps)
        for m in chat["messages"]:
            moment = datetime.fromtimestamp(int(m["date_unixtime"]), UTC)
            assert moment >= BASE
            assert m["date"] == (moment + LOCAL_OFFSET).strftime("%Y-%m-%dT%H:%M:%S")
            if "edited" in m:
                assert int(m["edited_unixtime"]) > int(m["date_unixtime"])
    assert sum("edited" in m for m in export.messages()) > 10


def test_ids_go_up_and_a_migrated_group_keeps_its_old_history(export: Export) -> None:
    migrated = []
    for chat in export.chats():
        ids = [m["id"] for m in chat["messages"]]
        assert ids == sorted(ids) and len(set(ids)) == len(ids)
        if ids and ids[0] < 0:
            migrated.append(chat)
    assert len(migrated) == 1
    old = [m for m in migrated[0]["messages"] if m["id"] < 0]
    assert all(-1_000_000_000 < m["id"] < -999_000_000 for m in old)
    actions = [m.get("action") for m in migrated[0]["messages"]]
    assert actions.index("migrate_to_supergroup") + 1 == actions.index("migrate_from_group")


# --- content ------------------------------------------------------------------------------


@pytest.mark.parametrize("category", sorted(CATEGORY_WORDS))
def test_every_category_speaks_its_jargon(simplified_text: str, category: str) -> None:
    missing = [w for w in CATEGORY_WORDS[category] if w not in simplified_text]
    assert not missing


def test_every_intent_occurs(simplified_text: str) -> None:
    for intent, words in INTENT_WORDS.items():
        assert any(w in simplified_text for w in words), intent


def test_traditional_characters_occur(export: Export) -> None:
    text = "\n".join(plain(m) for m in export.messages())
    for word in ("實名", "擔保", "騙子", "號"):
        assert word in text


def test_prices_quantities_and_contacts_in_real_world_forms(export: Export) -> None:
    text = "\n".join(plain(m) for m in export.messages())
    assert re.search(r"\d+(U|u|USDT)", text)
    assert re.search(r"\d+(元|块)", text)
    assert re.search(r"\d+(w|W|万)", text)
    assert re.search(r"\d+(\.\d)?亿", text)
    for alias in ("飞机", "TG", "薇", "vx", "扣扣", "微❤信", "✈️", "🔥", "t.me/"):
        assert alias in text


def test_tron_addresses_pass_base58check(export: Export) -> None:
    text = "\n".join(plain(m) for m in export.messages())
    found = set(re.findall(r"\bT[1-9A-HJ-NP-Za-km-z]{33}\b", text))
    assert len(found) >= 3
    assert all(is_tron_address(a) for a in found)


def test_tron_check_rejects_a_typo() -> None:
    address = tron_address(random.Random(1))
    assert is_tron_address(address) and len(address) == 34
    typo = address[:10] + ("A" if address[10] != "A" else "B") + address[11:]
    assert not is_tron_address(typo)
    assert not is_tron_address("T" + b58encode(b"short"))


def test_one_handle_under_several_display_names(export: Export) -> None:
    names_by_handle: dict[str, set[str]] = defaultdict(set)
    for m in export.messages():
        if m.get("from_id", "").startswith("user") and m.get("from"):
            for ent in m["text_entities"]:
                if ent["type"] == "mention":
                    names_by_handle[ent["text"]].add(m["from"])
    assert max(len(names) for names in names_by_handle.values()) >= 2
    assert sum(len(names) >= 2 for names in names_by_handle.values()) >= 5


def test_the_same_ad_is_cross_posted_with_small_changes(export: Export) -> None:
    chats_by_text: dict[str, set[str]] = defaultdict(set)
    for chat in export.chats():
        for m in chat["messages"]:
            if m["type"] == "message" and len(plain(m)) > 80:
                chats_by_text[plain(m)].add(chat["name"])
    assert any(len(chats) >= 2 for chats in chats_by_text.values())  # reposted elsewhere
    assert len(chats_by_text) > 300  # in many variants, not one text over and over


# --- format features ---------------------------------------------------------------------


def test_text_is_a_string_or_runs_matching_text_entities(export: Export) -> None:
    shapes = Counter(type(m["text"]).__name__ for m in export.messages())
    assert shapes["str"] > 100 and shapes["list"] > 100
    for m in export.messages():
        entities = m["text_entities"]
        if isinstance(m["text"], str):
            assert entities == ([{"type": "plain", "text": m["text"]}] if m["text"] else [])
            continue
        assert len(entities) == len(m["text"])
        for run, ent in zip(m["text"], entities, strict=True):
            assert ent == ({"type": "plain", "text": run} if isinstance(run, str) else run)
    kinds = Counter(e["type"] for m in export.messages() for e in m["text_entities"])
    for kind in ("mention", "link", "text_link", "hashtag", "bold", "phone", "code"):
        assert kinds[kind] > 0, kind
    links = [e for m in export.messages() for e in m["text_entities"] if e["type"] == "text_link"]
    assert all(e["href"].startswith("https://t.me/") for e in links)


def test_trailing_empty_run_after_a_final_entity(export: Export) -> None:
    quirky = [m for m in export.messages() if isinstance(m["text"], list) and m["text"][-1] == ""]
    assert quirky
    for m in quirky:
        assert isinstance(m["text"][-2], dict) and not plain(m).isascii()


def test_service_messages(export: Export) -> None:
    services = export.messages("service")
    actions = Counter(m["action"] for m in services)
    for action in ("create_channel", "create_group", "invite_members", "join_group_by_link",
                   "pin_message", "migrate_to_supergroup", "migrate_from_group"):  # fmt: skip
        assert actions[action] > 0, action
    assert len(services) < 0.05 * N
    for m in services:
        assert m["text"] == "" and m["text_entities"] == []
        assert m["actor_id"].startswith(("user", "channel"))


def test_senders_channels_and_a_deleted_account(export: Export) -> None:
    for chat in export.chats():
        for m in chat["messages"]:
            if m["type"] != "message":
                continue
            if chat["type"].endswith("_channel"):
                assert (m["from"], m["from_id"]) == (chat["name"], f"channel{chat['id']}")
            else:
                assert m["from_id"].startswith("user")
    deleted = [m for m in export.messages() if "from" in m and m["from"] is None]
    assert deleted and all(m["from_id"].startswith("user") for m in deleted)
    personal = next(c for c in export.chats() if c["type"] == "personal_chat")
    assert any(m["from_id"] == f"user{personal['id']}" for m in personal["messages"])


def test_replies_forwards_and_media(export: Export) -> None:
    for chat in export.chats():
        ids = {m["id"] for m in chat["messages"]}
        for m in chat["messages"]:
            if "reply_to_message_id" in m:
                assert m["reply_to_message_id"] in ids
    msgs = export.messages()
    forwards = [m for m in msgs if "forwarded_from" in m]
    assert any("forwarded_from_id" in m for m in forwards)
    assert any("forwarded_from_id" not in m for m in forwards)
    assert sum("reply_to_message_id" in m for m in msgs) > 50
    photos = [m for m in msgs if "photo" in m]
    assert photos and all(m["photo"].startswith("(File not included.") for m in photos)
    assert all(m["width"] > 0 and m["height"] > 0 for m in photos)


def test_control_characters_use_tdesktops_invalid_escape(export: Export) -> None:
    assert b"\\x1B[32m" in export.raw and b"\\x07" in export.raw
    with pytest.raises(json.JSONDecodeError):
        json.loads(export.raw)
    text = "\n".join(plain(m) for m in export.messages())
    assert "\x1b[32m" in text and "\x07" in text
    assert '"\\xfc\\x48' in text  # a literal backslash-x typed by a user is left alone
    assert "\u2028" in text
