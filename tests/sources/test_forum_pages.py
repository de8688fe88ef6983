"""Saved forum thread pages: Discuz! X (GBK), phpBB, XenForo and an analyst's own layout.

The samples in ``tests/data/forum/`` are the project's own pages written in each
software's default markup; nothing in them is fetched.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from jianghu.errors import ConfigError, SourceFormatError
from jianghu.records import Message, TextEntity
from jianghu.sources.base import open_source
from jianghu.sources.forum_layouts import builtin_layouts, load_layouts
from jianghu.sources.forum_pages import ForumPage, _sniff, decode

DATA = Path(__file__).parent.parent / "data" / "forum"
DISCUZ_1 = DATA / "discuz_thread-8848-1-1.html"
DISCUZ_2 = DATA / "discuz_thread-8848-2-1.html"
USER_LAYOUT = DATA / "heishi_layout.toml"
TITLE = "数据交易 / 【出料】一手四件套 银行卡+U盾+手机卡 长期稳定"


def read(path: Path, **options: str) -> tuple[list[Message], ForumPage]:
    source = ForumPage(path, options)
    return list(source.iter_messages()), source


def who(message: Message) -> tuple[str | None, str | None]:
    assert message.author is not None
    return message.author.platform_id, message.author.display_name


def test_discuz_gbk_page() -> None:
    got, source = read(DISCUZ_1)
    assert source.problems == [] and source.warnings == []
    assert [m.message_id for m in got] == ["120001", "120002", "120003", "120004", "120005"]
    offer, ask, _answer, _shop, thanks = got  # the answer and the shop: tests below
    assert offer.channel.key == "bbs.heiliao.example:thread8848"
    assert (offer.channel.name, offer.channel.kind, offer.platform) == (TITLE, "thread", "forum")
    assert who(offer) == ("uid1001", "老王料商") and who(ask) == ("uid1002", "阿强")
    # The anti-copy jammer text, the hidden span and the "本帖最后由" edit line are gone.
    assert offer.text == (
        "一手四件套出料，银行卡+U盾+手机卡，实名可查\n量大从优，长期稳定供货\n\n"
        "飞机：@liao_boss_88 QQ：2843561977\n非诚勿扰，先验后付"
    )
    assert offer.posted_at == datetime(2026, 3, 1, 4, 30, tzinfo=UTC)  # 12:30 China time
    assert ask.posted_at == datetime(2026, 3, 1, 5, 5, 9, tzinfo=UTC)  # exact span[title]
    assert thanks.posted_at == datetime(2026, 3, 2, 1, 15, tzinfo=UTC)  # "2026-3-2 9:15"
    assert thanks.text == "已收到货，老板靠谱\n顶一个"
    attrs = offer.attrs
    assert attrs["encoding"] == "gb18030 (declared gbk)"
    assert attrs["time_assumed_tz"] == "+08:00" and attrs["layout"] == "discuz"
    assert attrs["next_page"] == "thread-8848-2-1.html"  # recorded, never followed
    assert source.sha256 is not None and len(source.sha256) == 64


def test_discuz_quote_is_dropped_and_kept_aside() -> None:
    answer = read(DISCUZ_1)[0][2]
    assert answer.text == "全部实名，先验后付，走中介担保也行"
    assert answer.attrs["quoted"] == "阿强 发表于 2026-3-1 13:05\n有没有实名的？怎么验货"
    assert answer.reply_to == "120002"


def test_discuz_image_and_link() -> None:
    shop = read(DISCUZ_1)[0][3]
    url = "https://t.me/heitaok_shop"
    assert shop.text == f"样品图发一下，需要的直接找我店铺\n\n店铺：{url} 自助下单"
    assert shop.entities == (TextEntity("text_link", 21, 46, url, href=url),)
    assert shop.text[21:46] == url
    assert shop.media_kind == "photo"  # the attachment, not the smiley
    assert shop.attrs["images"] == "data/attachment/forum/202603/01/140211k8c7xh.jpg"


def test_discuz_positions_point_at_the_post_container() -> None:
    data = DISCUZ_1.read_bytes()
    lines = data.split(b"\n")
    for message in read(DISCUZ_1)[0]:
        ref = message.source
        start = f'<div id="post_{message.message_id}"'.encode()
        assert lines[ref.line - 1].startswith(start) and ref.col == 1
        assert data[ref.byte_offset :].startswith(start)  # offset in the GBK bytes
        assert ref.pointer == f"post {message.message_id}"
        assert message.raw.startswith(start.decode()) and message.raw.endswith("</div>")


def test_two_pages_of_one_thread_share_the_channel() -> None:
    first, second = read(DISCUZ_1)[0], read(DISCUZ_2)[0]
    assert [m.message_id for m in second] == ["120006", "120007"]
    # Page 2 has no canonical link: the site comes from the browser's "saved from" mark.
    assert {m.channel for m in first} == {m.channel for m in second}
    keys = [m.key for m in first + second]
    assert len(set(keys)) == 7
    ask, reply = second
    assert ask.posted_at == datetime(2026, 3, 3, 14, 41, 30, tzinfo=UTC)
    assert reply.posted_at == datetime(2026, 3, 3, 16, 10, tzinfo=UTC)  # 0:10 next day, +08
    assert ask.text == "求购：U盾+卡 十套，有货的私信\nTG @xiaoli_shouliao"
    assert reply.text == "已私信，QQ 2843561977 加我" and reply.reply_to == "120006"
    assert "next_page" not in ask.attrs  # the last page


def test_phpbb_page() -> None:
    got, source = read(DATA / "phpbb_viewtopic_t412.html")
    assert source.problems == []
    offer, vouch = got
    assert (offer.message_id, vouch.message_id) == ("5120", "5131")
    assert offer.channel.key == "lowlands.example:thread412"
    assert offer.channel.name == "Carding Market / Fresh fullz + bank logs, escrow accepted"
    assert who(offer) == ("uid88", "dumps_king") and who(vouch) == ("uid142", "r4ven")
    assert offer.text == (
        "Fresh EU fullz and bank logs, updated daily.\nEscrow accepted, no refunds after check."
        "\n\nContact: Telegram @dumpsking_eu or Jabber dk@jabber.example"
    )
    assert offer.entities[0].text == "@dumpsking_eu"
    assert offer.entities[0].href == "https://t.me/dumpsking_eu"
    assert offer.posted_at == datetime(2026, 3, 1, 9, 15, tzinfo=UTC)
    assert "time_assumed_tz" not in offer.attrs  # the page gives the offset
    assert vouch.text == "Vouch, got 20 logs yesterday, all valid."
    assert vouch.reply_to == "5120"
    assert vouch.attrs["quoted"].endswith("\nEscrow accepted, no refunds after check.")


def test_xenforo_page() -> None:
    got, source = read(DATA / "xenforo_thread_2207.html")
    assert source.problems == []
    offer, question = got
    assert (offer.message_id, question.message_id) == ("90311", "90340")
    assert offer.channel.key == "greyexchange.example:thread2207"
    assert offer.channel.name == "Services / [WTS] SIM-swap service, all US carriers"
    assert who(offer) == ("uid5531", "sw4pper") and who(question) == ("uid7102", "m0nk")
    assert offer.posted_at == datetime(2026, 2, 27, 18, 40, 12, tzinfo=UTC)
    assert offer.text.endswith("\n\nTG: t.me/sw4pper | Session: 05a1c0ffee")
    assert offer.entities[0].href == "https://t.me/sw4pper"
    assert question.text == "Does it work on T-Mobile prepaid? Sent you a DM."
    assert question.reply_to == "90311"
    quoted = "sw4pper said:\nDoing SIM swaps on all major US carriers, 24h turnaround."
    assert question.attrs["quoted"] == quoted  # without "Click to expand..."
    assert offer.attrs["next_page"].endswith(".2207/page-2")


def test_analysts_own_layout() -> None:
    got, source = read(DATA / "heishi_topic_305.html", layouts=str(USER_LAYOUT))
    assert source.problems == []
    offer, reply = got
    assert offer.channel.key == "heishi.example:thread305"
    assert offer.channel.name == "资料互换 / 收 车险 保单 资料"
    assert who(offer) == ("uid77", "夜猫子") and who(reply) == ("uid81", "阿德")
    assert offer.text == "长期收车险保单资料，要新鲜的\n联系 QQ 1875520466"  # signature dropped
    assert offer.posted_at == datetime(2026, 3, 2, 13, 10, tzinfo=UTC)
    assert reply.text == "有一批 2026 年的，飞机 @ade_data 详聊"
    assert reply.reply_to == "3051"
    assert reply.attrs["quoted"] == "夜猫子：长期收车险保单资料，要新鲜的"
    assert offer.attrs["layout"] == "heishi" and offer.attrs["next_page"] == "/t/305?p=2"


def test_tz_offset_option_overrides_the_layout() -> None:
    offer = read(DISCUZ_1, tz_offset="+00:00")[0][0]
    assert offer.posted_at == datetime(2026, 3, 1, 12, 30, tzinfo=UTC)
    assert offer.attrs["time_assumed_tz"] == "+00:00"


def test_broken_posts_are_problems_the_rest_kept() -> None:
    got, source = read(DATA / "discuz_broken.htm")
    assert [m.message_id for m in got] == ["130001", "130004"]
    assert [str(p) for p in source.problems] == [
        f"{DATA / 'discuz_broken.htm'}:64:1: discuz post without a post id",
        f"{DATA / 'discuz_broken.htm'}:92:1: post 130003 without a date",
    ]
    # No site URL on the page: the key falls back to the layout name, with a warning.
    assert got[0].channel.key == "discuz:thread8848"
    assert len(source.warnings) == 1 and "'site' option" in source.warnings[0]
    assert read(DATA / "discuz_broken.htm", site="bbs.x.example")[0][0].channel.key == (
        "bbs.x.example:thread8848"
    )


def test_unknown_page_is_one_clear_error() -> None:
    path = DATA / "not_a_forum.html"
    with pytest.raises(SourceFormatError) as err:
        read(path)
    assert str(err.value) == (
        f"{path}:1:1: expected a saved forum thread page (layouts: discuz, phpbb, xenforo)"
    )


@pytest.mark.parametrize(
    ("name", "sniffed"),
    [
        ("discuz_thread-8848-1-1.html", True),
        ("discuz_broken.htm", True),
        ("phpbb_viewtopic_t412.html", True),
        ("xenforo_thread_2207.html", True),
        ("not_a_forum.html", False),
        ("heishi_topic_305.html", False),  # user layouts are not known to sniffing
    ],
)
def test_sniff(name: str, sniffed: bool) -> None:
    path = DATA / name
    assert _sniff(path, path.read_bytes()[: 64 * 1024]) is sniffed
    assert _sniff(path.with_suffix(".txt"), path.read_bytes()) is False


def test_registered_reader_opens_a_page() -> None:
    assert isinstance(open_source(DISCUZ_1), ForumPage)


def test_decode_fallbacks() -> None:
    text = "<html><body>出料 一手</body></html>"
    assert decode(text.encode("gb18030")) == (text, "gb18030 (undeclared)")
    assert decode(text.encode("utf-8")) == (text, "utf-8 (undeclared)")
    wrong = f'<meta charset="utf-8">{text}'
    assert decode(wrong.encode("gbk"))[1] == "gb18030 (guessed)"  # declared UTF-8, was GBK


def test_xhtml_declaration_with_encoding(tmp_path: Path) -> None:
    page = tmp_path / "saved.htm"
    decl = b'<?xml version="1.0" encoding="gbk"?>\n'
    page.write_bytes(decl + DISCUZ_1.read_bytes().replace(b"charset=gbk", b""))
    got, source = read(page)
    assert len(got) == 5 and source.problems == []
    assert got[0].text.startswith("一手四件套出料") and got[0].source.line == 38
    assert got[0].attrs["encoding"] == "gb18030 (declared gbk)"  # from the declaration


def test_builtin_layouts_load() -> None:
    assert [layout.name for layout in builtin_layouts()] == ["discuz", "phpbb", "xenforo"]


GOOD = """
[[layout]]
name = "x"
match = "div.p"
post = "div.p"
body = "div.b"
title = { css = "h1" }
post_id = { attr = "id", regex = 'p(\\d+)' }
date = { css = ".d" }
"""


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("post_id = ", "#post_id = "), "layout 'x': missing required post_id"),
        (("'p(\\d+)'", "'p(\\d+'"), "layout 'x': post_id: invalid regex"),
        (("'p(\\d+)'", "'(p)(\\d+)'"), "may have at most one group"),
        (('"div.b"', '"div[["'), "layout 'x': body: invalid CSS selector"),
        (('name = "x"', 'name = "x"\nselector = "a"'), "layout 'x': unknown keys ['selector']"),
        (('{ css = "h1" }', '{ css = "h1", text = true }'), "title: unknown keys ['text']"),
        (('match = "div.p"', 'match = "div.p"\ntz = "CST"'), "tz_offset must look like"),
        (("[[layout]]", "[layout"), "not valid TOML"),
        (("[[layout]]", "[[layouts]]"), "expected one or more [[layout]] tables"),
    ],
)
def test_invalid_layout_file_names_file_and_layout(
    tmp_path: Path, change: tuple[str, str], message: str
) -> None:
    path = tmp_path / "mine.toml"
    assert load_layouts(_write(path, GOOD))[0].name == "x"
    _write(path, GOOD.replace(*change))
    with pytest.raises(ConfigError) as err:
        ForumPage(DISCUZ_1, {"layouts": str(path)})
    assert str(err.value).startswith(f"{path}: ") and message in str(err.value)


def _write(path: Path, text: str) -> Path:
    path.write_text(text, "utf-8")
    return path
