"""A small market for report and export tests: card ads with numbers and regions, a
data-leak ad, an exposed seller, an escrow group, a tool seller, and hostile text."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from jianghu.analysis.pipeline import analyse
from jianghu.intel.actor_build import build_actors
from jianghu.intel.offers import build_offers
from jianghu.records import AuthorRef, ChannelRef, Message
from jianghu.store.base import Store
from tests.conftest import make_message

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)  # a Monday
MARKET = ChannelRef("telegram", "market", "1", "资源交易群", "public_supergroup")
ESCROW = ChannelRef("telegram", "escrow", "2", "山河担保 公群", "public_supergroup")
EXPOSE = ChannelRef("telegram", "expose", "3", "江湖避雷区", "public_supergroup")
TOOLS = ChannelRef("telegram", "tools", "4", "网安技术交流", "private_supergroup")

CARD = "4111 1111 1111 1111"
PHONE = "+86 138 0013 8000"
HOSTILE = (
    "出美国CVV 外卡料 带余额 全料 信用卡 卡头 20U一条 量大优惠 "
    "<script>alert(1)</script><img src=x onerror=alert(2)> "
    "http://evil.example.com/x ![p](http://evil.example.com/p.png) [点我](https://evil.example.com)"
    " \x1b[31mred\x1b[0m ``` 飞机@evil_cvv"
)
HOSTILE_NAME = '=HYPERLINK("http://evil.example.com","<b>click</b>")'


def _m(
    i: int, who: str, text: str, day: int, channel: ChannelRef = MARKET, name: str | None = None
) -> Message:
    return make_message(str(i), text, channel=channel, author=AuthorRef(who, name or who),
                        posted_at=T0 + timedelta(days=day, minutes=i))  # fmt: skip


def messages() -> list[Message]:
    msgs = []
    # One US card seller reposting the same ad every week, price 15U then 20U.
    for week in range(6):
        price = 15 if week < 3 else 20
        msgs.append(_m(10 + week, "cvv_a", f"出美国CVV 带余额 卡号示例 {CARD} {price}U一条 "
                       "量大优惠 飞机@usa_cvv_shop", 7 * week))  # fmt: skip
    # A Chinese-card kit seller and a buyer.
    msgs.append(_m(20, "kit_b", "出国内银联卡料 四件套 一手 200U一套 飞机@kit_seller_b", 3))
    msgs.append(_m(21, "buyer_c", "收日本CVV 长期收 量大 私聊", 4))
    # A data-leak seller (not card data).
    msgs.append(_m(22, "leak_d", "出一手快递料 日更 实名 0.2U一条 联系 vx:leak_d888", 5))
    # Exposures of the kit seller by two accusers; an escrow notice.
    msgs.append(_m(30, "victim1", "曝光 @kit_seller_b 骗子 收钱不发货 大家避雷", 8, EXPOSE))
    msgs.append(_m(31, "victim2", "曝光 @kit_seller_b 跑路了 黑吃黑 被骗500U", 9, EXPOSE))
    msgs.append(_m(32, "escrow_op", "【公告】本群担保 押金 3000U 已上押 交易请走公群", 6, ESCROW))
    msgs.append(_m(33, "escrow_op", "【担保须知】交易先报备 担保费 3% 纠纷找群主处理", 10, ESCROW))
    # A tool seller: Cobalt Strike plug-ins and frp.
    msgs.append(_m(40, "tool_z", "出 CS插件 beacon 免杀 frp 内网穿透 300U 飞机@z_tools", 11, TOOLS))
    msgs.append(
        _m(41, "tool_z", "出 Cobalt Strike 4.9 破解版 带插件 免杀 300U 飞机@z_tools", 18, TOOLS)
    )
    # Hostile text and a hostile name; a victim's phone number in a leak sample.
    msgs.append(_m(50, "evil_e", HOSTILE, 12, name=HOSTILE_NAME))
    msgs.append(_m(51, "leak_d", f"出开房记录 样本 张三 {PHONE} 1U一条 vx:leak_d888", 13))
    # Chat about nothing.
    msgs.append(_m(60, "chat_f", "今天天气不错 大家早上好", 14))
    return msgs


def build_market(store: Store) -> None:
    store.write_batch(analyse(messages()), None)
    build_offers(store)
    build_actors(store)


def store_id(store: Store, message_id: str) -> int:
    [row] = store._all("SELECT id FROM messages WHERE message_id = ?", (message_id,))
    return int(row[0])
