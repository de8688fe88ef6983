"""The demo world: who posts (sellers under several accounts, buyers, bystanders), in which
chats, and which offers each actor repeats. Built once per seed, before any writing.

A *persona* is one operator. Real operators run several accounts, each with its own display
name, and advertise the same contact handle, WeChat id and TRON address from all of them;
that shared handle is what identity linking has to find.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from .tron import tron_address

ALL_MARKETS = (
    "data_leak", "card_cn", "card_intl", "money_laundering", "fake_identity", "kyc_bypass",
    "sim_sms", "account_trade", "hacking_service", "hacking_tool", "fraud_service",
    "gambling", "drugs", "escrow_guarantee", "scam_report",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Account:
    """One Telegram user; ``deleted`` accounts export with ``"from": null``."""

    user_id: int
    first_name: str
    last_name: str = ""
    deleted: bool = False

    @property
    def name(self) -> str | None:
        if self.deleted:
            return None
        return f"{self.first_name} {self.last_name}".strip()


@dataclass(frozen=True, slots=True)
class Persona:
    handle: str
    accounts: tuple[Account, ...]
    markets: tuple[str, ...]
    role: str  # seller | buyer
    trad: bool  # writes traditional characters most of the time
    shady: bool  # the subject of scam exposures
    wechat: str
    qq: str
    phone: str
    tron: str
    channel: str


# One operator a line: handle ; display names of its accounts (" / ") ; markets ; role
# and flags (trad = writes traditional characters, shady = the subject of exposures).
# "阿杰^外卡CVV" is a first name and a last name.
_PERSONAS = """
laok_liaozi ; 老K 一手料子 / K哥【只走担保】 / 老K·数据批发 ; data_leak ; seller
chadang_vip ; 查档小王 / 王总 查档开房 / 小王🔍专业查询 ; data_leak ; seller
shujuzhijia ; 数据之家 客服 / 社工库 客服02 ; data_leak sim_sms ; seller
neiliao_ahui ; 阿辉 内料 / 辉哥 国内卡 / 阿辉 | 四要素 ; card_cn ; seller
kaliao_daniu ; 大牛卡料 / 大牛🐂 卡料直供 ; card_cn money_laundering ; seller shady
ajie_cvv ; 阿杰^外卡CVV / Jie | CVV Fulls / 杰哥🔥外卡 ; card_intl ; seller
cc_mike_us ; Mike 美卡 / 麦克 外卡料站 ; card_intl account_trade ; seller
hk_kaliao ; 香港卡料 / 港澳 全料 Fulls ; card_intl fake_identity ; seller trad
ushang_laochen ; U商老陈 / 陈总 承兑 / 老陈💰USDT ; money_laundering ; seller
sijiantao_aq ; 四件套批发-阿强 / 强哥 四件套对公 ; money_laundering card_cn ; seller
paofen_chedui ; 跑分车队长 / 车队 | 码商直招 ; money_laundering ; seller
zhengjian_psd ; 证件模板师 / PSD大师 ; fake_identity ; seller
shouchi_xiaomei ; 小美 手持照 / 美美 证件照 ; fake_identity kyc_bypass ; seller
kyc_along ; 代实名 阿龙 / 龙哥 过人脸 ; kyc_bypass ; seller
jiema_king ; 接碼王 / 接碼王 24H在線 ; sim_sms ; seller trad
heika_laoliu ; 老六黑卡 / 六哥 卡商 ; sim_sms ; seller
haoshang_xf ; 号商小飞 / 飞哥 协议号 / 小飞✈️飞机号批发 ; account_trade ; seller
appleid_dd ; 苹果ID 店店 / DD 外区账号 ; account_trade ; seller shady
ghost_shentou ; Ghost 渗透 / 幽灵 拿站 ; hacking_service ; seller
leiting_ddos ; 雷霆 DDoS / 雷霆打D ; hacking_service ; seller
miansha_cs ; 免杀工作室 / CS 免杀 beacon ; hacking_tool ; seller
yuankong_afei ; 远控定制 阿飞 / 阿飞 木马 ; hacking_tool ; seller
zge_tools ; Z 冰蝎魔改 / Z哥 工具 ; hacking_tool hacking_service ; seller
huashu_laoshi ; 话术老师 / 杀猪盘 剧本 ; fraud_service ; seller
yinliu_aliang ; 引流工作室 / 粉丝批发 阿亮 ; fraud_service gambling ; seller shady
diaoyu_dajian ; 钓鱼搭建 / 页面 一条龙 ; fraud_service ; seller
hongyun_zs ; 鸿运招商 / 菠菜总代 ; gambling ; seller
qipai_yuanma ; 棋牌源码 / 源码 搭建 ; gambling ; seller
rongcheng_yezi ; 蓉城葉子 / 蓉城 🍃 ; drugs ; seller trad
taibei_youpiao ; 台北郵票 / 北部 煙油 ; drugs ; seller trad
jindun_kefu ; 金盾担保 客服 / 金盾担保 官方 ; escrow_guarantee ; seller
sihai_zs ; 四海担保 招商 / 四海 专群 ; escrow_guarantee ; seller shady
shouliao_awei ; 收料 阿伟 ; data_leak card_cn ; buyer
dongge_shou ; 东哥 长期收 ; money_laundering sim_sms ; buyer
tom_buycvv ; Tom 收外卡 ; card_intl ; buyer
qiugou_laohao ; 求购老号 ; account_trade kyc_bypass ; buyer
zhao_shentou ; 找渗透的 ; hacking_service hacking_tool ; buyer
xiaobai2026 ; 小白学习中 ; hacking_tool fraud_service ; buyer
bc_wanjia ; 菠菜玩家 ; gambling drugs ; buyer
laoma_db ; 老马 ; escrow_guarantee fake_identity ; buyer
"""

DM_PERSONA = "ajie_cvv"  # the seller the exporting account talks to in private
DELETED_OWNER = "kaliao_daniu"  # one of his accounts has since been deleted

_NICK_PREFIX = ("阿", "小", "老", "大", "")
_NICK_CORE = (
    "明", "龙", "飞", "杰", "强", "伟", "华", "斌", "鹏", "涛", "辉", "军", "刚", "勇", "峰",
    "磊", "浩", "超", "波", "东", "海", "山", "林", "森", "雨", "雪", "风", "云", "七", "九",
)  # fmt: skip
_NICK_FULL = (
    "一路向北", "深海🐟", "夜猫子", "不吃香菜", "浪子回头", "孤独的狼", "追风少年", "平常心",
    "随缘", "淡定哥", "Jack", "Tony", "Kevin", "Leo", "Andy", "Sam", "David王", "Eric 陈",
    "阿Sir", "老实人", "路人甲", "吃瓜群众", "打工人", "搬砖的", "佛系青年", "天天向上",
    "🍀幸运儿", "☀️阳光", "🌙月亮", "大白", "二狗", "胖虎", "瘦猴", "十三", "九哥", "老铁",
    "金三角阿福", "西港小李", "金边老王", "迪拜土豪", "马尼拉阿May", "曼谷阿泰", "Lucky",
)  # fmt: skip
_NICK_PLACES = ("杭州", "深圳", "福建", "东北", "广西", "四川", "西港", "金边", "迪拜", "马尼拉")


def _user_id(rng: random.Random, used: set[int]) -> int:
    while True:
        # mostly recent 10-digit ids, some old 9-digit ones
        old = rng.random() >= 0.8
        uid = rng.randint(100_000_000, 999_999_999) if old else rng.randint(10**9, 8 * 10**9 - 1)
        if uid not in used:
            used.add(uid)
            return uid


def _account(rng: random.Random, used: set[int], display: str) -> Account:
    # "阿杰^外卡CVV" is first name + last name; the personal chat with that user is then
    # titled by the first name alone, as tdesktop does.
    first, _, last = display.partition("^")
    return Account(_user_id(rng, used), first.strip(), last.strip())


def _persona(rng: random.Random, used: set[int], row: str) -> Persona:
    handle, names, markets, flags = (cell.strip() for cell in row.split(";"))
    role, *traits = flags.split()
    accounts = [_account(rng, used, name.strip()) for name in names.split(" / ")]
    if handle == DELETED_OWNER:
        accounts.append(Account(_user_id(rng, used), "", deleted=True))
    stem = handle.split("_")[0]
    phone = f"1{rng.choice('356789')}{rng.randint(0, 9)} {rng.randint(0, 9999):04d} "
    phone += f"{rng.randint(0, 9999):04d}"
    return Persona(
        handle=handle,
        accounts=tuple(accounts),
        markets=tuple(markets.split()),
        role=role,
        trad="trad" in traits,
        shady="shady" in traits,
        wechat=f"{stem}{rng.randint(10, 9999)}" if rng.random() < 0.8 else "",
        qq=str(rng.randint(10_000_000, 3_999_999_999)),
        phone=phone,
        tron=tron_address(rng),
        channel=f"{handle}_{rng.choice(('pd', 'channel', 'news', 'tz', 'vip'))}",
    )


def build_personas(rng: random.Random, used: set[int]) -> list[Persona]:
    return [_persona(rng, used, row) for row in _PERSONAS.strip().split("\n")]


def build_bystanders(rng: random.Random, used: set[int], count: int) -> list[Account]:
    """Ordinary members with made-up nicknames, unique within the export."""
    names: list[str] = []
    seen: set[str] = set()
    while len(names) < count:
        roll = rng.random()
        if roll < 0.45:
            name = rng.choice(_NICK_PREFIX) + rng.choice(_NICK_CORE)
        elif roll < 0.75:
            name = rng.choice(_NICK_FULL)
        else:
            sep = rng.choice(("-", " ", "·", ""))
            nick = rng.choice(_NICK_PREFIX) + rng.choice(_NICK_CORE)
            name = rng.choice(_NICK_PLACES) + sep + nick
        if name and name not in seen:
            seen.add(name)
            names.append(name)
    return [Account(_user_id(rng, used), name) for name in names]


@dataclass(frozen=True, slots=True)
class ChatSpec:
    """One exported chat. ``weight`` is its share of the messages; ``kinds`` weighs what
    gets posted there (an intent, ``chat`` small talk, ``forward``, ``rules``, ``paste``)."""

    key: str
    name: str
    type: str
    id: int
    weight: float
    markets: tuple[str, ...]
    kinds: tuple[tuple[str, float], ...]
    left: bool = False
    migrated_from: str | None = None  # title of the basic group it was upgraded from

    @property
    def is_channel(self) -> bool:
        return self.type.endswith("_channel")


_GROUP = (("sell", 42.0), ("buy", 10.0), ("recruit", 5.0), ("other", 10.0), ("chat", 26.0),
          ("forward", 7.0), ("rules", 0.2))  # fmt: skip

CHATS: tuple[ChatSpec, ...] = (
    ChatSpec("card_cn", "国内卡料·四件套 交流群", "public_supergroup", 1987204511, 12.0,
             ("card_cn", "money_laundering"), _GROUP),
    ChatSpec("card_intl", "外卡 CVV | Fulls | 101/201", "private_supergroup", 2103958876, 10.0,
             ("card_intl", "account_trade", "kyc_bypass"), _GROUP),
    ChatSpec("data", "料子数据 社工库 查档 供需", "public_supergroup", 1876543019, 12.0,
             ("data_leak", "sim_sms", "account_trade"), _GROUP),
    ChatSpec("escrow", "金盾担保 公群268号", "public_supergroup", 2245117093, 16.0,
             tuple(m for m in ALL_MARKETS if m != "scam_report"),
             (("sell", 44.0), ("buy", 12.0), ("recruit", 4.0), ("other", 8.0), ("chat", 26.0),
              ("forward", 4.0), ("rules", 0.3))),
    ChatSpec("exposure", "江湖曝光台 | 避雷专区", "public_channel", 1765320984, 6.0,
             ("scam_report",), (("other", 1.0),)),
    ChatSpec("board", "资源供需 · 每日发布", "public_channel", 2018863527, 11.0,
             tuple(m for m in ALL_MARKETS if m not in ("scam_report", "escrow_guarantee")),
             (("sell", 85.0), ("recruit", 15.0))),
    ChatSpec("tech", "网安技术交流", "private_supergroup", 1693047712, 10.0,
             ("hacking_service", "hacking_tool"),
             (("sell", 26.0), ("buy", 6.0), ("other", 24.0), ("chat", 36.0), ("paste", 2.5),
              ("forward", 3.0), ("rules", 0.2)),
             migrated_from="网安技术交流群"),
    ChatSpec("lounge", "老乡吹水群", "private_group", 738451902, 8.0, ("gambling", "drugs"),
             (("sell", 4.0), ("buy", 3.0), ("other", 10.0), ("chat", 82.0), ("forward", 2.0),
              ("rules", 0.3))),
    ChatSpec("hub", "菠菜 引流 话术 资源对接", "public_supergroup", 2311870465, 12.0,
             ("gambling", "fraud_service", "drugs", "fake_identity", "kyc_bypass", "sim_sms"),
             (("sell", 38.0), ("buy", 10.0), ("recruit", 7.0), ("other", 8.0), ("chat", 30.0),
              ("forward", 3.0), ("rules", 0.2))),
    ChatSpec("dm", "", "personal_chat", 0, 1.5, ("card_intl",), (("dm", 1.0),)),
    ChatSpec("otc", "USDT承兑 换汇 跑分", "private_channel", 1598237740, 1.5,
             ("money_laundering",), (("sell", 85.0), ("recruit", 15.0)), left=True),
)  # fmt: skip
