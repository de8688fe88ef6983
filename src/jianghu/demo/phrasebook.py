"""The demo's own phrase banks: vocabulary the templates draw from, small talk, group rules.

Everything here was written for jianghu in the register of Chinese-language underground
Telegram groups (jargon, homophones, emoji, prices in U and 元); none of it is copied from
a corpus. Offer templates live in ``ads_trade`` and ``ads_tech``.

Template text syntax (see ``slots`` and ``render``): ``{slot}`` or ``{slot:lo-hi}`` is
filled per post; ``**bold**``, ``[label](https://…)``, `` `code` `` and ``~~old price~~``
become entities, and bare ``@handle``, ``t.me/…``, ``#tag`` and ``+86`` numbers are detected the way
Telegram detects them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Template:
    """One post shape. ``market`` is a taxonomy category, or ``card_cn``/``card_intl`` for
    the two card_fraud markets that real groups keep apart (domestic vs foreign cards)."""

    market: str
    intent: str  # sell | buy | recruit | other, as in TAXONOMY.md
    text: str


INTENTS = ("sell", "buy", "recruit", "other")


def parse_templates(market: str, source: str) -> list[Template]:
    """Split a block of templates; each one starts with a line ``=== <intent>``."""
    found: list[Template] = []
    intent: str | None = None
    lines: list[str] = []
    for line in [*source.strip("\n").split("\n"), "=== end"]:
        if not line.startswith("=== "):
            lines.append(line)
            continue
        if intent is not None:
            found.append(Template(market, intent, "\n".join(lines).strip("\n")))
        intent, lines = line[4:].strip(), []
        if intent not in (*INTENTS, "end"):
            raise ValueError(f"{market}: unknown intent {intent!r}")
    return found


# Emoji come in palettes so one post repeats its own emoji, the way sellers decorate.
EMOJI_PALETTES = (
    ("🔥", "💥"), ("✅", "☑️"), ("💰", "💎"), ("⭐️", "🌟"), ("❗️", "‼️"), ("📣", "📢"),
    ("🚀", "✈️"), ("🎉", "🎁"), ("🍀", "🌈"), ("👑", "💯"), ("⚡️", "🔔"), ("🧧", "💵"),
)  # fmt: skip
SEPARATORS = (
    "——————————", "━━━━━━━━━━", "➖➖➖➖➖➖", "==========", "・・・・・・・・", "～～～～～～～",
    "✧✧✧✧✧✧✧✧", "▬▬▬▬▬▬▬▬",
)  # fmt: skip
TG_WORDS = ("飞机", "TG", "纸飞机", "✈️", "telegram", "飛機", "tg")
WECHAT_LABELS = ("薇", "V", "vx", "微❤信", "威信", "wx", "VX", "徽")
QQ_LABELS = ("扣扣", "企鹅", "Q", "QQ", "🐧")

REGIONS = (
    "广东", "浙江", "福建", "江苏", "山东", "河南", "四川", "湖南", "湖北", "上海", "北京",
    "广西", "云南", "江西", "安徽", "河北", "辽宁", "重庆", "黑龙江", "贵州",
)  # fmt: skip
CITIES = (
    "深圳", "广州", "东莞", "杭州", "温州", "厦门", "泉州", "成都", "重庆", "昆明", "南宁",
    "上海", "北京", "长沙", "武汉", "郑州", "西安", "台北", "香港", "澳门",
)  # fmt: skip
BANKS = (
    "工行", "建行", "农行", "中行", "招行", "交行", "邮政", "民生", "浦发", "光大", "兴业",
    "平安", "中信", "农信社",
)  # fmt: skip
COUNTRIES = (
    "美国", "英国", "加拿大", "澳洲", "德国", "法国", "日本", "韩国", "西班牙", "意大利",
    "巴西", "墨西哥", "新加坡", "马来",
)  # fmt: skip
PLATFORMS = (
    "抖音", "快手", "淘宝", "京东", "拼多多", "微信", "QQ", "支付宝", "小红书", "美团", "陌陌",
    "B站", "微博", "闲鱼",
)  # fmt: skip
CARRIERS = ("移动", "联通", "电信", "三网", "广电")
ANTIVIRUS = ("360", "火绒", "卡巴", "Defender", "诺顿", "电脑管家", "ESET")
CASINOS = ("鸿运国际", "金狮娱乐", "天禧国际", "万盛体育", "澳利来", "皇朝娱乐")  # made up
GUARANTEES = ("金盾担保", "四海担保", "龙腾担保", "天平担保", "山河担保")  # made up
ITEMS = ("外卡", "四件套", "料子", "协议号", "接码", "查档", "远控", "话术", "黑卡", "菠菜源码")
YEARS = ("2025", "2026", "25年", "26年", "今年")

# Filter-dodging spellings, applied to some variants of a post.
OBFUSCATIONS = {
    "微信": ("微❤信", "V信", "薇信", "威信"),
    "支付宝": ("支付b", "zfb", "支fu宝"),
    "银行卡": ("yhk", "银行k"),
    "身份证": ("sfz", "身份zheng"),
    "担保": ("担bao", "擔·保"),
    "跑分": ("pf", "跑fen"),
    "实名": ("实铭", "sm"),
    "出售": ("出s", "出·售"),
    "黑卡": ("黑k",),
    "四件套": ("4件套", "四件tao"),
    "社工库": ("sgk", "社工k"),
    "免杀": ("mian杀",),
    "渗透": ("渗tou",),
    "菠菜": ("BC", "菠C"),
    "叶子": ("🍃", "葉子"),
}

# Decorations sellers bolt onto the first or last line of an ad.
HEAD_DECOR = ("", "", "", "【置顶】", "【长期有效】", "【新到】", "【诚信】", "🆕 ", "✨ ")
TAIL_DECOR = (
    "", "", "", "", "诚信第一 非诚勿扰", "走担保 先验后付", "白嫖党勿扰", "24小时在线",
    "骗子勿扰 浪费时间", "老客户介绍有优惠", "不回就是在忙 稍等", "价格美丽 欢迎对比",
)  # fmt: skip

# --- plain chat (category "none") ---------------------------------------------------------

CHATTER = (
    "早", "早上好各位老板", "老板们中午好", "晚上好", "大家好 新人报道", "有人吗", "在吗",
    "哈哈哈哈", "哈哈", "666", "牛逼", "收到", "好的", "谢谢老板", "辛苦了", "睡了 晚安",
    "今天好冷", "吃饭了没", "周末去哪玩", "这天气热死了", "刚下班 累成狗", "又堵车了",
    "外卖还没到", "明天放假吗", "群里好安静", "今天怎么这么多人", "新来的 多关照",
    "兄弟们晚上喝点？", "刚睡醒", "头疼 昨晚喝多了", "最近生意怎么样", "一般般 混口饭吃",
    "生意难做啊", "今年不好做", "币圈又跌了", "U价又涨了", "看球没 昨晚那场太刺激了",
    "老婆又骂我了", "孩子开学了 头大", "房租又要交了", "有没有人一起打游戏", "王者来不来",
    "下雨了 出不了门", "这群越来越冷清了", "潜水的都出来冒个泡", "冒泡", "路过",
    "我也是", "同意", "确实", "说得对", "不至于吧", "真的假的", "离谱", "笑死",
    "兄弟你这头像挺帅", "几点了", "今天周几来着", "发工资了 开心", "想回老家了",
    "过年回不回去", "还在柬埔寨？", "最近在越南 热得要命", "迪拜那边怎么样", "金边下大雨",
    "西港现在还行吗", "菲律宾签证续了没", "有没有在泰国的兄弟", "网好卡", "手机又没电了",
    "刚换了新手机", "这个表情包哪来的", "哈哈哈这个好笑", "别刷屏了", "管理员呢",
    "群主出来说句话", "又来广告了", "这人天天刷广告", "烦死了", "别吵了", "大家和气生财",
    "一起发财", "祝大家发财", "恭喜发财", "好久不见", "最近忙啥呢", "瞎忙", "在家躺着",
    "出去吃个饭", "有推荐的餐厅吗", "火锅还是烧烤", "馋了", "晚上吃啥", "泡面",
    "今天运气不错", "倒霉透了", "手机被偷了", "钱包丢了", "车被贴条了", "去医院了",
    "感冒了", "多喝热水", "早点休息", "熬夜伤身", "又失眠了", "睡不着聊会儿",
    "你们都几点睡", "我三点才睡", "年纪大了熬不动了", "健身去了", "减肥失败",
    "今天跑了五公里", "腰疼", "这电影好看吗", "最近有啥剧推荐", "追剧中", "看完了 烂尾",
    "好无聊啊", "有没有妹子", "单身狗路过", "谁借我点钱", "月底了 吃土", "还有三天发工资",
    "这价格太贵了吧", "便宜没好货", "一分钱一分货", "信你个鬼", "别信他的", "小心点总没错",
    "慢慢来", "稳住", "不急", "等等看", "明天再说", "先这样吧", "走了 回聊", "拜拜",
    "👍", "👍👍👍", "😂😂😂", "🤣", "😅", "🙏", "🐂🍺", "❤️", "[捂脸]", "[旺柴]", "[抱拳]",
)  # fmt: skip
# Longer chat: stories, complaints, opinions (what makes a real group not all one-liners).
CHATTER_LONG = (
    "昨天去夜市吃了顿烧烤 结果拉了一晚上肚子 以后再也不去那家了",
    "这边最近天天下雨 衣服晒了三天都没干 整个屋子一股霉味",
    "刚搬了新住处 房东人还不错 就是离市场有点远 买菜不方便",
    "我跟你们说 做人还是要踏实点 天上不会掉馅饼 掉下来的都是陷阱",
    "今天老板又画大饼 说年底分红 去年也是这么说的 结果一分没有",
    "有没有人知道这边哪家医院看牙比较便宜 牙疼了一个礼拜了 受不了",
    "签证下个月到期 续签又要花一笔 这边的钱越来越难赚了",
    "周末带孩子去了趟海边 玩得挺开心 就是晒黑了 老婆一直念叨",
    "最近换汇的价格波动好大 早上跟晚上能差好几个点 看不懂",
    "老家来电话说我妈身体不太好 想回去看看 又走不开 真是两难",
    "你们晚上都吃啥 这边的饭菜我是真吃不惯 天天想吃家里的面",
    "群里新来的兄弟多看看置顶 别一进来就问东问西的 都写着呢",
    "昨晚看球看到三点 结果输了 还熬了一宿 今天上班跟丢了魂一样",
    "手机屏幕摔碎了 修一下要三百多 还不如换个新的 纠结",
    "刚才楼下有人吵架 吵了快一个小时 警察来了才散 真能折腾",
    "最近在学英语 背了一个礼拜单词 全忘了 年纪大了记性真不行",
    "这几天网特别卡 视频都刷不动 不知道是不是又在整顿",
    "说句实在话 赚钱不容易 大家花钱都悠着点 别一下子全花光了",
    "今天路上堵了两个小时 出租车司机一路都在骂 我都听笑了",
    "过两天降温了 大家注意加衣服 别跟我一样感冒了还得上班",
)
CHATTER_TAILS = ("", "", "", "", "哈哈", "😂", "啊", "吧", "…", "！", "？", "呢", "🤣", "~")

CHAT_RULES = (
    "📌 群规\n1. 禁止发广告，发一次警告，两次直接踢\n2. 禁止私聊骚扰群友，被举报就踢\n"
    "3. 禁止发黄赌毒和血腥图片\n4. 不要随便@全体成员\n"
    "5. 管理员不会主动私聊任何人，私聊你的都是冒充的\n违者踢出，不接受申诉，谢谢配合",
    "【本群须知】\n新人进群先看置顶，聊天随意，吵架出去吵。\n群内禁止刷屏、禁止拉人头、"
    "禁止发来路不明的链接。\n有事找管理，别在群里喊。\n祝大家天天开心 🍻",
    "📢 管理员通知：\n最近冒充管理员的骗子很多，认准本群管理的用户名。\n"
    "任何要你转账、扫码、下载APP的都是骗子，被骗自己负责！\n"
    "群里只聊天，不欢迎打广告的，发了就踢。",
)

# Chat from the technical group. These are terminal pastes: the raw ANSI colour codes and
# the BEL are control characters, which tdesktop writes as `\x1B` / `\x07` (not JSON); the
# shellcode line holds literal backslashes, which must survive a `\xNN` repair untouched.
TECH_PASTES = (
    "扫出来了 兄弟们看看\n\x1b[32m[+]\x1b[0m 10.0.3.15:6379 redis 未授权\n"
    "\x1b[32m[+]\x1b[0m 10.0.3.22:445 MS17-010\n"
    "\x1b[33m[*]\x1b[0m 10.0.3.8:8080 WebTitle: 后台登录",
    "frpc 一直报这个 有人遇到过吗\x07\n[W] login to server failed: i/o timeout\n"
    "[I] try to reconnect to server...",
    '这段shellcode哪位大佬帮看下 跑起来就崩\nbuf = "\\xfc\\x48\\x83\\xe4\\xf0\\xe8\\xc0"',
    "复制出来的日志带了一堆乱码\x1b[0m\x1b[K 凑合看吧\n"
    "\x1b[31m[-]\x1b[0m 172.16.1.4:3306 mysql 密码错误",
    "网页上抄来的配置，粘过来换行都没了\u2028[common]\u2028"
    "server_addr = 0.0.0.0\u2028server_port = 7000",
)

# A buyer's private chat with a seller. `me` is the exporting account.
DM_SCRIPT = (
    ("me", "老板在吗"),
    ("seller", "在的 要什么"),
    ("me", "{country}的CVV还有货吗"),
    ("seller", "有 {country}的今天刚到 {u:10-25}一条"),
    ("me", "能便宜点吗 我要{n:20-100}条"),
    ("seller", "量大给你{u:8-20} 最低了 再低亏本"),
    ("me", "先发几条样本看看"),
    ("seller", "样本费{u:5-20} 不然不给 白嫖的太多了"),
    ("me", "走{guarantee}吧 我怕"),
    ("seller", "可以 担保费你出就行"),
    ("me", "行 拉专群吧"),
    ("seller", "嫌麻烦直接转我也行 TRC20 地址 {tron}"),
    ("me", "转了 你查一下"),
    ("seller", "收到 发你了 自己测"),
    ("me", "有几条是死卡啊"),
    ("seller", "死卡包换 把卡号发我 一小时内补"),
    ("me", "好 下次还找你"),
    ("seller", "有新货第一时间通知你 {chan}"),
)

# The exporting account, as personal_information shows it.
ME_USER_ID = 6135792468
ME_FIRST_NAME = "老周"
ME_PHONE = "+888 0412 7736"  # an anonymous (Fragment) number, as such accounts use
ME_USERNAME = "@zhou_shouliao"
ME_BIO = "长期收料 只走担保"
