"""Watchlists and alerts: every rule kind, scopes, the regex time limit, clear errors,
deduplicated alerts on both backends, triage with an audit trail, the ingest hook."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from jianghu.analysis.entities import extract_entities
from jianghu.analysis.pipeline import analyse
from jianghu.cli import app
from jianghu.errors import ConfigError
from jianghu.intel.alerts import list_alerts, scan, set_status
from jianghu.intel.watchlist import Context, match, parse_watchlist
from jianghu.records import ChannelRef
from jianghu.store.base import Store
from tests.conftest import make_message

RULES = """
[[rule]]
name = "our brand"
kind = "brand"
values = ["招商银行"]
severity = "high"

[[rule]]
name = "our BINs"
kind = "bin"
values = ["622202", "411100-411199"]
severity = "critical"
categories = ["card_fraud", "money_laundering"]

[[rule]]
name = "our domain"
kind = "domain"
values = ["bank-example.com"]

[[rule]]
name = "wallet"
kind = "wallet"
values = ["TQn9Y2khEsLJW1ChVWFMSMeRDow5KcbLSE"]

[[rule]]
name = "phone"
kind = "phone"
values = ["+86 138 1234 5678"]

[[rule]]
name = "handle"
kind = "handle"
values = ["@Card_King"]

[[rule]]
name = "data near us"
kind = "term"
values = ["员工资料"]
near = ["出"]
within = 10

[[rule]]
name = "staff ids"
kind = "regex"
values = ["EMP-[0-9]{6}"]
"""


def _wl():  # type: ignore[no-untyped-def]
    return parse_watchlist(RULES, "w.toml")


def _hits(text: str, ctx: Context | None = None) -> set[str]:
    result = match(_wl(), text, extract_entities(text), ctx or Context(("card_fraud",), "sell"))
    return {h.rule for h in result.hits}


def test_every_kind_matches_what_it_should() -> None:
    assert _hits("出 招 商 銀 行 内部数据") == {"our brand"}  # traditional and spaced
    assert _hits("出卡 6222 02** **** 1234 秒发") == {"our BINs"}  # masked PAN
    assert _hits("卡头622202 的料 有吗") == {"our BINs"}  # a stated card head
    assert _hits("4111 1111 1111 1111 有余额") == {"our BINs"}  # a range
    assert _hits("钓鱼页 login.bank-example[.]com 已上线") == {"our domain"}  # defanged subdomain
    assert _hits("收款 TQn9Y2khEsLJW1ChVWFMSMeRDow5KcbLSE") == {"wallet"}
    assert _hits("电话 13812345678 联系") == {"phone"}
    assert _hits("飞机 @card_king 私聊") == {"handle"}
    assert _hits("出 某公司员工资料 一手") == {"data near us"}
    assert _hits("员工资料泄露的新闻 看到了吗 真离谱 大家注意保护好自己") == set()  # not near 出
    assert _hits("工号 EMP-123456 的资料") == {"staff ids"}


def test_scopes_restrict_rules() -> None:
    assert _hits("6222 02** **** 1234", Context(("drugs",), "sell")) == set()
    assert _hits("6222 02** **** 1234", Context(("money_laundering",), "buy")) == {"our BINs"}


def test_a_pathological_regex_times_out_instead_of_hanging() -> None:
    wl = parse_watchlist('[[rule]]\nname = "evil"\nkind = "regex"\nvalues = ["(a|aa)+$"]\n', "e")
    start = time.monotonic()
    result = match(wl, "a" * 5000 + "b", [], Context())
    assert result.timeouts == ["evil"] and not result.hits
    assert time.monotonic() - start < 2


X = '[[rule]]\nname = "x"\n'


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[rule]]\nname = 1\n", "expected a non-empty 'name'"),
        (X + 'kind = "colour"\nvalues = ["a"]\n', "'kind' must be one of"),
        (X + 'kind = "bin"\nvalues = ["62a"]\n', "expected 4–8 digits"),
        (X + 'kind = "regex"\nvalues = ["(a"]\n', "invalid regular expression"),
        (X + 'kind = "term"\nvalues = ["a"]\ncategories = ["cars"]\n', "unknown categories"),
        (X + 'kind = "phone"\nvalues = ["12"]\n', "not a valid number"),
        ("[[rule]\n", "not valid TOML"),
        (
            X + 'kind = "term"\nvalues = ["a"]\n' + X + 'kind = "term"\nvalues = ["b"]\n',
            "two rules are named",
        ),
    ],
)
def test_bad_watchlists_are_one_clear_line(text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as info:
        parse_watchlist(text, "w.toml")
    assert str(info.value).startswith("w.toml") and "\n" not in str(info.value)


def _fill(store: Store) -> None:
    t0 = datetime(2026, 3, 1, tzinfo=UTC)
    msgs = []
    for i in range(5):  # one ad reposted in five channels
        ch = ChannelRef("telegram", f"c{i}", str(i), f"卡料群{i}", "public_supergroup")
        msgs.append(
            make_message(
                f"{i}",
                "🔥出卡 6222 02** **** 1234 秒发 飞机@card_king",
                channel=ch,
                posted_at=t0 + timedelta(hours=i),
            )
        )
    msgs.append(make_message("9", "今天天气不错", posted_at=t0))
    store.write_batch(analyse(msgs), None)


def test_alerts_are_deduplicated_and_never_raised_twice(store: Store) -> None:
    _fill(store)
    first = scan(store, _wl())
    assert first.messages == 6 and first.new_alerts == 2 and first.new_sightings == 10
    again = scan(store, _wl())
    assert again.new_alerts == 0 and again.new_sightings == 0
    alerts = {a.rule: a for a in list_alerts(store)}
    assert alerts["our BINs"].sightings == 5 and alerts["our BINs"].channels == 5
    assert alerts["our BINs"].severity == "critical" and alerts["our BINs"].status == "new"
    assert set_status(store, alerts["our BINs"].id, "acknowledged", "analyst.li", "seen")
    assert [a.rule for a in list_alerts(store, status="new")] == ["handle"]
    assert not set_status(store, 999999, "dismissed", "x")
    log = store._all("SELECT who, action FROM audit_log")
    assert [tuple(r) for r in log] == [("analyst.li", "alert_acknowledged")]


def test_watch_and_alerts_cli(tmp_path: Path) -> None:
    from jianghu.store import open_store

    runner = CliRunner()
    wl = tmp_path / "w.toml"
    added = runner.invoke(
        app,
        [
            "watch",
            "add",
            "--file",
            str(wl),
            "--name",
            "bins",
            "--kind",
            "bin",
            "--value",
            "622202",
            "--severity",
            "high",
        ],
    )
    assert added.exit_code == 0, added.stderr
    bad = runner.invoke(
        app,
        ["watch", "add", "--file", str(wl), "--name", "bins", "--kind", "bin", "--value", "411111"],
    )
    assert bad.exit_code == 2 and "two rules are named" in bad.stderr
    assert [
        r["name"]
        for r in json.loads(
            runner.invoke(app, ["watch", "list", "--file", str(wl), "--json"]).stdout
        )
    ] == ["bins"]
    tried = runner.invoke(
        app, ["watch", "test", "出卡 6222 02** **** 1234", "--file", str(wl), "--json"]
    )
    assert [h["rule"] for h in json.loads(tried.stdout)["hits"]] == ["bins"]
    url = f"sqlite:///{tmp_path / 'w.db'}"
    with open_store(url) as store:
        _fill(store)
    dry = json.loads(
        runner.invoke(
            app, ["watch", "test", "--store", "--file", str(wl), f"--db={url}", "--json"]
        ).stdout
    )
    assert dry["hits"] == 5 and dry["new_alerts"] == 0
    scanned = json.loads(
        runner.invoke(app, ["watch", "scan", "--file", str(wl), f"--db={url}", "--json"]).stdout
    )
    assert scanned["new_alerts"] == 1
    [alert] = json.loads(runner.invoke(app, ["alerts", f"--db={url}", "--json"]).stdout)
    assert alert["sightings"] == 5
    # Victims' card numbers stay masked in every alert shown.
    assert "1234" in alert["first_text"] and "6222 02** **** 1234" in alert["first_text"]
    no_who = runner.invoke(app, ["alerts", "ack", str(alert["id"]), f"--db={url}"])
    assert no_who.exit_code == 2 and "--who" in no_who.stderr
    ok = runner.invoke(app, ["alerts", "dismiss", str(alert["id"]), "--who", "wu", f"--db={url}"])
    assert ok.exit_code == 0
    left = runner.invoke(app, ["alerts", f"--db={url}", "--json", "--status", "new"])
    assert json.loads(left.stdout) == []


def test_ingest_raises_alerts_after_each_batch(tmp_path: Path) -> None:
    runner = CliRunner()
    wl = tmp_path / "w.toml"
    wl.write_text('[[rule]]\nname = "bins"\nkind = "bin"\nvalues = ["622202"]\n', encoding="utf-8")
    export = tmp_path / "r.json"
    msgs = [
        {
            "id": i,
            "type": "message",
            "date_unixtime": str(1772352000 + i),
            "from": "a",
            "from_id": "user1",
            "text": "出卡 6222 02** **** 1234 秒发",
        }
        for i in range(1, 4)
    ]
    export.write_text(
        json.dumps({"name": "g", "type": "public_supergroup", "id": 7, "messages": msgs}),
        encoding="utf-8",
    )
    db = f"--db=sqlite:///{tmp_path / 'i.db'}"
    first = json.loads(
        runner.invoke(app, ["ingest", str(export), db, "--json", "--watchlist", str(wl)]).stdout
    )
    assert first["alerts"]["new_alerts"] == 1 and first["alerts"]["new_sightings"] == 3
    again = json.loads(
        runner.invoke(app, ["ingest", str(export), db, "--json", "--watchlist", str(wl)]).stdout
    )
    assert again["alerts"]["new_alerts"] == 0 and again["alerts"]["messages"] == 0


def test_alerts_show_where_who_the_actor_and_the_hit(tmp_path: Path) -> None:
    from jianghu.intel.actor_build import build_actors
    from jianghu.intel.offers import build_offers
    from jianghu.store import open_store

    url = f"sqlite:///{tmp_path / 'x.db'}"
    card = "4111 1111 1111 1111"
    with open_store(url) as store:
        t0 = datetime(2026, 3, 1, tzinfo=UTC)
        msgs = [
            make_message(
                str(i), f"出卡 {card} 有余额 飞机@card_king", posted_at=t0 + timedelta(days=i)
            )
            for i in range(2)
        ]
        store.write_batch(analyse(msgs), None)
        build_offers(store)
        build_actors(store)
        scan(
            store, parse_watchlist('[[rule]]\nname = "b"\nkind = "bin"\nvalues = ["411111"]\n', "w")
        )
    runner = CliRunner()
    [alert] = json.loads(runner.invoke(app, ["alerts", f"--db={url}", "--json"]).stdout)
    assert alert["channel"] == "测试群" and alert["author"] == "卖家一号"
    assert alert["actor_id"] is not None and 0 <= alert["actor_reputation"] <= 100
    assert alert["offer_id"] is not None
    start, end = alert["highlight"]
    assert end > start and card not in alert["matched"] and card not in alert["first_text"]
    table = runner.invoke(app, ["alerts", f"--db={url}"])
    assert table.exit_code == 0 and card not in table.stdout
