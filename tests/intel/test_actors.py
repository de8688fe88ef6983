"""Actors and reputation on a small market with every hard case: accounts sharing a
contact, a hub identifier, a look-alike handle, a username that changed owner, an exposed
scammer, an escrow-backed vendor, a competitor's lone accusation, a claimed deposit, an
exposure of the escrow bot, and an analyst's split and merge — on both backends."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from typer.testing import CliRunner

from jianghu.analysis.pipeline import analyse
from jianghu.cli import app
from jianghu.intel.actor_build import build_actors
from jianghu.intel.actors import Use, link_accounts, lookalike_key
from jianghu.intel.offers import build_offers
from jianghu.records import AuthorRef, ChannelRef, Message
from jianghu.store.actors import actor_of_account, get_actor, list_actors, record_decision
from jianghu.store.base import Store
from tests.conftest import make_message

T0 = datetime(2026, 3, 1, 12, tzinfo=UTC)
MARKET = ChannelRef("telegram", "market", "1", "资源交易群", "public_supergroup")
ESCROW = ChannelRef("telegram", "escrow", "2", "山河担保 公群", "public_supergroup")
EXPOSE = ChannelRef("telegram", "expose", "3", "江湖避雷区", "public_supergroup")


def _m(i: int, who: str, text: str, day: int, channel: ChannelRef = MARKET) -> Message:
    return make_message(str(i), text, channel=channel, author=AuthorRef(who, who),
                        posted_at=T0 + timedelta(days=day, minutes=i))  # fmt: skip


def market() -> list[Message]:
    msgs = [
        # Two accounts of one seller: the same WeChat in their ads, at the same time.
        _m(1, "user_a1", "出一手快递料 日更 实名手机号 0.2U一条 vx:laowang888", 1),
        _m(2, "user_a2", "出 贷款客户资料 一手 量大优惠 vx:laowang888", 3),
        _m(3, "user_a1", "出股民数据 新鲜 重复包赔 vx:laowang888", 40),
        # A look-alike of an established card seller.
        _m(4, "user_k", "出美国CVV 带余额 15U一条 飞机@card_king", 2),
        _m(5, "user_k", "出日本CVV 全料 20U一条 飞机@card_king", 50),
        _m(6, "user_i", "出美国CVV 带余额 12U一条 飞机@card_klng", 20),
        # A username sold: @old_shop in March by one account, in June by another.
        _m(7, "user_o1", "出苹果ID 老号 批发 飞机@old_shop", 1),
        _m(8, "user_o1", "出苹果ID 美区 稳定 飞机@old_shop", 10),
        _m(9, "user_o2", "出接码 美国号码 秒到 飞机@old_shop", 100),
        # The scammer, and two victims who expose it.
        _m(10, "user_s", "出外国信用卡CVV 带余额 低价 飞机@scam_seller", 5),
        _m(11, "victim1", "曝光骗子 @scam_seller 收了我500U不发货 拉黑跑路 大家避雷", 12, EXPOSE),
        _m(12, "victim2", "避雷 @scam_seller 骗子 付款后失联 已经有三个兄弟被骗", 15, EXPOSE),
        # The escrow-backed vendor: deposit confirmed by the escrow group, vouches.
        _m(13, "user_v", "出一手料 快递料 日更 飞机@good_vendor", 1),
        _m(14, "escrow_op", "【公告】@good_vendor 已上押 5000U 本群担保交易", 2, ESCROW),
        _m(15, "buyer1", "@good_vendor 靠谱 交易多次 已收到货", 30),
        _m(16, "buyer2", "推荐 @good_vendor 老板人好 信誉好", 60),
        _m(17, "user_v", "出开房记录 查询 秒出 飞机@good_vendor", 90),
        # The honest vendor a competitor accuses once, against a confirmed deposit and vouches.
        _m(18, "user_h", "出四件套 对公账户 一类卡 现货 飞机@honest_h", 1),
        _m(19, "escrow_op", "【公告】@honest_h 已上押 3000U 本群担保", 2, ESCROW),
        _m(20, "buyer1", "@honest_h 靠谱 已收到货 回购", 20),
        _m(21, "buyer3", "@honest_h 稳 推荐", 25),
        _m(22, "rival", "曝光 @honest_h 骗子 别信他", 26, EXPOSE),
        _m(23, "user_h", "出四件套 一类卡 对公 批发 飞机@honest_h", 80),
        # A deposit claimed by the seller and never confirmed.
        _m(24, "user_c", "出料 已上押5000U 放心交易 飞机@claim_c", 4),
    ]
    # Seven sellers who all point buyers to the same escrow bot: a hub, it links nobody.
    for k in range(7):
        msgs.append(
            _m(30 + k, f"hub_user{k}", f"出微信号 老号 批发 第{k}批 担保请联系@db_escrow_bot", 7)
        )
    msgs.append(_m(40, "angry", "曝光 @db_escrow_bot 是假担保 骗子 大家避雷", 9, EXPOSE))
    return msgs


def _actor(store: Store, key: str) -> int:
    [row] = store._all("SELECT id FROM authors WHERE key = ?", (key,))
    actor = actor_of_account(store, int(row[0]))
    assert actor is not None
    return actor


def _build(store: Store) -> None:
    store.write_batch(analyse(market()), None)
    build_offers(store)
    build_actors(store)


def test_links_hubs_lookalikes_and_reassigned_handles(store: Store) -> None:
    _build(store)
    assert _actor(store, "user_a1") == _actor(store, "user_a2")
    a = get_actor(store, _actor(store, "user_a1"))
    assert a is not None and len(a.account_ids) == 2
    [link] = [x for x in a.profile["links"] if x["kind"] == "wechat"]
    assert link["identifier"] == "laowang888" and link["message_ids"]
    # The escrow bot is a hub: seven sellers, seven actors.
    assert len({_actor(store, f"hub_user{k}") for k in range(7)}) == 7
    hub = get_actor(store, _actor(store, "hub_user0"))
    assert hub is not None and any(f["kind"] == "hub" for f in hub.profile["flags"])
    # The look-alike is flagged, never merged.
    assert _actor(store, "user_k") != _actor(store, "user_i")
    k = get_actor(store, _actor(store, "user_k"))
    assert k is not None and any(f["kind"] == "lookalike" for f in k.profile["flags"])
    # The sold username joins nobody.
    assert _actor(store, "user_o1") != _actor(store, "user_o2")
    o = get_actor(store, _actor(store, "user_o1"))
    assert o is not None and any(f["kind"] == "reassigned_handle" for f in o.profile["flags"])


def test_reputation_judges_the_hard_cases(store: Store) -> None:
    _build(store)

    def rep(key: str) -> tuple[int, dict[str, float]]:
        a = get_actor(store, _actor(store, key))
        assert a is not None
        return a.reputation, {f["name"]: f["points"] for f in a.factors}

    scam, scam_f = rep("user_s")
    vendor, vendor_f = rep("user_v")
    honest, honest_f = rep("user_h")
    _claim, claim_f = rep("user_c")
    assert scam_f["exposures"] == -25.0 and scam < 40
    assert vendor_f["deposit confirmed by escrow"] == 15.0 and vendor_f["vouches"] == 4.0
    assert vendor > scam + 30
    # One unsupported accusation against a confirmed deposit and vouches: still trusted.
    assert honest_f["exposure (one accuser, unsupported)"] == -10.0 and honest > 60 > scam
    assert claim_f == {**claim_f, "deposit claimed, not confirmed": 3.0}
    assert "deposit confirmed by escrow" not in claim_f
    # The exposure of the escrow bot counts against none of the sellers who used it.
    _, hub_f = rep("hub_user0")
    assert not any("exposure" in name for name in hub_f)
    # Exposures are listed first, each factor with its messages.
    a = get_actor(store, _actor(store, "user_s"))
    assert a is not None and a.factors[0]["name"] == "exposures"
    assert len(a.factors[0]["message_ids"]) == 2


def test_analyst_split_and_merge_survive_rebuilds(store: Store) -> None:
    _build(store)
    [a1] = store._all("SELECT id FROM authors WHERE key = 'user_a1'")
    [a2] = store._all("SELECT id FROM authors WHERE key = 'user_a2'")
    record_decision(store, "split", int(a1[0]), int(a2[0]), "analyst.li", "different people")
    build_actors(store)
    assert _actor(store, "user_a1") != _actor(store, "user_a2")
    k, i = _actor(store, "user_k"), _actor(store, "user_i")
    record_decision(store, "join", k, i, "analyst.li", "same crew, seen in chat logs")
    build_actors(store)
    build_actors(store)
    assert _actor(store, "user_k") == _actor(store, "user_i")
    assert _actor(store, "user_a1") != _actor(store, "user_a2")
    log = store._all("SELECT who, action FROM audit_log ORDER BY id")
    assert [tuple(r) for r in log] == [("analyst.li", "actor_split"), ("analyst.li", "actor_join")]


def test_listing_filters_by_reputation_and_category(store: Store) -> None:
    _build(store)
    low = list_actors(store, max_reputation=40)
    assert _actor(store, "user_s") in {a.id for a in low}
    assert all(a.reputation <= 40 for a in low)
    cards = list_actors(store, category="card_fraud")
    assert cards and all("card_fraud" in a.categories for a in cards)


def test_username_links_only_while_both_used_it() -> None:
    t = datetime(2026, 1, 1, tzinfo=UTC)
    uses = [
        Use(1, "telegram_handle", "shop", 1, t),
        Use(2, "telegram_handle", "shop", 2, t + timedelta(days=3)),
        Use(3, "telegram_handle", "shop", 3, t + timedelta(days=200)),
    ]
    linking = link_accounts([1, 2, 3], uses)
    assert linking.actor_of[1] == linking.actor_of[2] != linking.actor_of[3]
    assert lookalike_key("card_king") == lookalike_key("Card_K1ng") == lookalike_key("cardking")
    assert lookalike_key("card_king") != lookalike_key("card_queen")


def test_actor_cli(tmp_path: Path) -> None:
    from jianghu.store import open_store

    url = f"sqlite:///{tmp_path / 'a.db'}"
    with open_store(url) as store:
        store.write_batch(analyse(market()), None)
    runner = CliRunner()
    assert runner.invoke(app, ["offers", "build", f"--db={url}"]).exit_code == 0
    built = runner.invoke(app, ["actors", "build", f"--db={url}", "--json"])
    assert built.exit_code == 0, built.stderr
    assert json.loads(built.stdout)["hubs"] >= 1
    listed = json.loads(runner.invoke(app, ["actors", f"--db={url}", "--json"]).stdout)
    scammer = next(a for a in listed if any(x["key"] == "user_s" for x in a["accounts"]))
    shown = runner.invoke(app, ["actor", str(scammer["id"]), f"--db={url}"])
    assert shown.exit_code == 0 and "exposures" in shown.stdout
    profile = json.loads(
        runner.invoke(app, ["actor", str(scammer["id"]), f"--db={url}", "--json"]).stdout
    )
    assert {"accounts", "activity_by_week", "identifiers", "links", "flags", "factors"} <= set(
        profile
    )
    no_who = runner.invoke(app, ["actor", "split", "1", "2", f"--db={url}"])
    assert no_who.exit_code == 2 and "--who" in no_who.stderr
    bad = runner.invoke(app, ["actor", "nonsense", f"--db={url}"])
    assert bad.exit_code == 2
    merged = runner.invoke(app, ["actor", "merge", str(listed[0]["id"]), str(listed[1]["id"]),
                                 "--who", "analyst.wu", f"--db={url}", "--json"])  # fmt: skip
    assert merged.exit_code == 0, merged.stderr
    assert json.loads(merged.stdout)["decision"] == "join"


def test_forward_trail_links_and_a_reposting_channel_links_nobody() -> None:
    t = datetime(2026, 1, 1, tzinfo=UTC)
    # Account 1 forwards account 2's ads: one trail.
    trail = [Use(1, "forward", "2", 10, t), Use(2, "forward", "2", 10, t)]
    assert link_accounts([1, 2], trail).actor_of[1] == link_accounts([1, 2], trail).actor_of[2]
    # Account 9 reposts three unrelated sellers' ads with their phones: a star, not a person.
    star = [
        Use(9, "phone", "+8613800000001", 20, t), Use(3, "phone", "+8613800000001", 21, t),
        Use(9, "phone", "+8613800000002", 22, t), Use(4, "phone", "+8613800000002", 23, t),
        Use(9, "phone", "+8613800000003", 24, t), Use(5, "phone", "+8613800000003", 25, t),
    ]  # fmt: skip
    linking = link_accounts([3, 4, 5, 9], star)
    assert len({linking.actor_of[a] for a in (3, 4, 5, 9)}) == 4
    assert [f.kind for f in linking.flags] == ["aggregator"]
    # A seller's three accounts sharing one phone are one actor, not a star.
    crew = [Use(a, "phone", "+8613900000009", 30 + a, t) for a in (6, 7, 8)]
    assert len({link_accounts([6, 7, 8], crew).actor_of[a] for a in (6, 7, 8)}) == 1


def test_profile_has_handles_over_time_channels_and_platforms(store: Store) -> None:
    _build(store)
    a = get_actor(store, _actor(store, "user_o1"))
    assert a is not None
    [ident] = [i for i in a.profile["identifiers"] if i["value"] == "old_shop"]
    assert ident["first_seen"].startswith("2026-03-02") and ident["last_seen"].startswith(
        "2026-03-11"
    )
    assert a.profile["channel_names"] == ["资源交易群"] and a.profile["platforms"] == ["telegram"]
    assert a.profile["activity_by_week"]
