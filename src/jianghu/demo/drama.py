"""The trust drama: one escrow-run trading hall whose script holds every hard case an
analyst's trust research meets (and the actors issue's tests check):

- a vendor whose deposit the escrow confirms and whom buyers vouch for — and a competitor
  who posts one fake exposure of him;
- a scammer exposed by two victims and convicted by the escrow's dispute verdict;
- a seller who claims a deposit the escrow never confirms;
- a seller with two accounts and two names sharing one WeChat id;
- the escrow bot's handle given as the contact in six sellers' ads (a hub), and a troll's
  exposure of that bot;
- an impostor with a look-alike handle (@shanhe_1aowang for @shanhe_laowang);
- a username sold on: @old_usdt_shop in March by one account, in May by another.

Accounts get their own ids from a separate random stream, so the rest of the demo is the
same with or without this chat.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

from .cast import Account, ChatSpec
from .run import BASE_EPOCH, Event, Run
from .world import Shared

SPEC = ChatSpec("trust", "山河担保 · 交易大厅", "public_supergroup", 2419736051, 0.0, (), ())

CAST = {
    "op": "山河担保 客服",
    "vendor": "山河老王 料子",
    "imp": "山河老王",
    "scam": "阿飞 外卡",
    "claim": "小周 四件套",
    "li1": "老李 料",
    "li2": "李哥 数据",
    "o1": "USDT 老店",
    "o2": "接码 小林",
    "b1": "回头客阿强",
    "b2": "老客户 小陈",
    "b3": "广东 阿豪",
    "b4": "路人乙",
    "v1": "被骗的阿明",
    "v2": "倒霉蛋 小刘",
    "rival": "料子批发 阿东",
    "troll": "路过的",
}
_HUB_SELLERS = (
    "号商 大伟",
    "老号批发 阿坤",
    "白号 小马",
    "协议号 阿峰",
    "苹果ID 老谢",
    "tdata 小吴",
)
CAST.update({f"h{i}": name for i, name in enumerate(_HUB_SELLERS, 1)})

BOT = "@shanhe_db_bot"
_HUB_ADS = (
    "出微信老号 实名 带支付 八年老号 可换绑",
    "QQ白号批发 十位数 秒发 量大从优",
    "飞机协议号 批量注册 包活七天 质保",
    "tdata 老号 美国号段 一手货源",
    "苹果ID 美区 已过双重认证 可改密",
    "抖音号 千粉 带橱窗 可直播 包过审",
)

SCRIPT: tuple[tuple[int, str, str], ...] = (
    (1, "op", f"【本群公告】本群由山河担保运营 交易请走担保 {BOT} 私下交易被骗概不负责"),
    (2, "vendor", f"出一手快递料 日更 实名手机号 0.2U一条 走担保{BOT} 飞机@shanhe_laowang"),
    (2, "op", "【上押公示】@shanhe_laowang 已上押 10000U 本群担保 放心交易"),
    (3, "scam", f"出外国信用卡CVV 带余额 15U一条 走担保{BOT} 飞机@afei_waika"),
    (4, "claim", f"出四件套 一类卡 对公 已上押5000U 放心交易 走担保{BOT} 飞机@xiaozhou_sjt"),
    (5, "li1", "出股民数据 贷款客户资料 一手 量大优惠 vx:lili_data88"),
    (6, "li2", "出开房记录 查询 秒出 价格美丽 vx:lili_data88"),
    *((6, f"h{i}", f"{_HUB_ADS[i - 1]} 担保请联系{BOT}") for i in range(1, 7)),
    (8, "o1", "出USDT 承兑 换汇 大额可做 飞机@old_usdt_shop"),
    (10, "b1", "@shanhe_laowang 靠谱 交易多次 已收到货"),
    (12, "imp", "出一手快递料 日更 实名手机号 0.18U一条 飞机@shanhe_1aowang"),
    (14, "v1", "曝光骗子 @afei_waika 收了我500U不发货 拉黑跑路 大家避雷"),
    (15, "b2", "推荐 @shanhe_laowang 老板人好 信誉好"),
    (16, "v2", "避雷 @afei_waika 骗子 付款后失联 已经有三个兄弟被骗"),
    (18, "op", "【纠纷判定】@afei_waika 收款不发货 证据确凿 判定为骗子 押金赔付买家"),
    (20, "rival", "曝光 @shanhe_laowang 骗子 别信他"),
    (22, "b3", "@shanhe_laowang 回购 好评"),
    (25, "troll", f"曝光 {BOT} 是假担保 骗子 大家避雷"),
    (30, "vendor", f"出开房记录 航旅 查询 秒出 走担保{BOT} 飞机@shanhe_laowang"),
    (40, "o1", "出USDT 承兑 换汇 秒到 飞机@old_usdt_shop"),
    (45, "li1", "出 母婴料 一手 日更 vx:lili_data88"),
    (75, "o2", "出接码 美国号码 秒到 飞机@old_usdt_shop"),
    (80, "o2", "出接码 英国号码 实卡 飞机@old_usdt_shop"),
    (85, "vendor", "出股民料 一手 日更 飞机@shanhe_laowang"),
    (88, "b4", "@shanhe_laowang 已收到货 推荐"),
)


def build_cast(seed: int, used: set[int]) -> dict[str, Account]:
    rng = random.Random(f"{seed}/trust")
    out = {}
    for key, name in CAST.items():
        while True:
            uid = rng.randint(10**9, 8 * 10**9 - 1)
            if uid not in used:
                used.add(uid)
                break
        out[key] = Account(uid, name)
    return out


class DramaRun(Run):
    """Writes the script, in order, at its days (the first ``count`` lines of it)."""

    def __init__(self, shared: Shared, cast: dict[str, Account], count: int) -> None:
        super().__init__(shared, SPEC.key, count, per_account=False)
        self.title: str | None = SPEC.name
        self.chat_id = SPEC.id
        self.cast = cast
        self.when = 0

    def _tick(self) -> None:
        self.t = self.when

    def events(self) -> Iterator[Event]:
        for minute, (day, speaker, text) in enumerate(SCRIPT[: self.count]):
            self.when = BASE_EPOCH + day * 86400 + 9 * 3600 + minute * 97
            yield self._message(self.s.user("from", self.cast[speaker]), self.s.fixed(text))
