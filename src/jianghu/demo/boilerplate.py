"""Lines that make a post long the way real ones are: each seller's price list and fixed
boilerplate, a buyer's conditions, an exposure's closing plea. Picked per offer (from the
offer's own RNG), so every repost of an ad carries the same lines. The project's own
writing; slot syntax in ``phrasebook``; ``{dot}`` is the variant's bullet."""

from __future__ import annotations

SELL_EXTRAS = (
    "本人只做长久生意 不做一锤子买卖 口碑都是老客户给的",
    "所有货源均为一手 不是二手倒卖 假一赔十",
    "支持任意担保 担保费一人一半",
    "新客户可以先小单测试 满意了再上量",
    "老客户回购一律九折 介绍新客户另有返点",
    "24小时在线 秒回 不回就是在睡觉 留言必回",
    "量大的老板直接私聊 价格还可以再谈",
    "不接受砍价 价格已经是全网最低 货比三家",
    "有售后有保障 出了问题第一时间处理 绝不推脱",
    "只收USDT（TRC20） 其他币种一律不收",
    "USDT / 支付宝 / 微信 都可以结算",
    "⚠️ 认准本人用户名 谨防冒充 只有这一个号",
    "⚠️ 最近冒充我的很多 私聊前先核对用户名 被骗概不负责",
    "频道每天更新库存 进频道看最新价格 {chan}",
    "白嫖的、只问价不买的 请绕道 谢谢",
    "所有交易只走担保 私下交易后果自负",
    "拒绝一切钓鱼 同行勿扰 记者勿扰",
    "工作时间：中午12点到凌晨3点 其他时间留言",
    "下单流程：私聊报需求 → 报价 → 付款或走担保 → 交付 → 售后",
    "我从不先私聊别人 先找上你的一律是假冒",
    "诚信经营三年 零差评 {guarantee}有交易记录可查",
    "押金已上{guarantee} {u:1000-10000} 放心交易",
    "先款后货 熟客可以先货后款",
    "当天下单当天交付 不拖不欠 超时赔付",
    "详细价格表私聊获取 群里不方便发",
)

BUY_EXTRAS = (
    "要求：新鲜 不重复 可以先给样本验",
    "价格好说 只要货好 长期合作",
    "走担保 担保费我出",
    "中间商勿扰 只要一手",
    "有的直接报价 别问我要多少",
    "之前被骗过一次 所以只走担保 理解一下",
)

SCAM_EXTRAS = (
    "大家交易一定要走担保 别贪便宜 便宜没好货",
    "这人还有好几个小号 名字经常换 认准用户名和收款地址",
    "聊天记录和转账截图都在 需要的私我",
    "群主看到了麻烦踢一下 别让他再祸害人",
    "已经报给{guarantee}了 希望能追回一点",
    "血的教训 发出来让大家避个雷 别再有人上当了",
    "他跟你说什么先付定金、先交押金的 全是套路",
)

OTHER_TAILS = (
    "有没有懂的兄弟说一下", "求解答 谢谢", "大家怎么看", "新手 别笑我", "在线等 挺急的",
    "说说你们的经验", "我是真搞不懂了", "", "", "",
)  # fmt: skip

BULLETS = ("▪️", "•", "✔️", "👉", "-", "🔹", "◆")

# A seller's price list, per market.
MENUS: dict[str, tuple[str, ...]] = {
    "data_leak": (
        "{dot} 全国手机号实名 {uf:1-5}一条",
        "{dot} {platform}注册料 {uf:1-9}一条",
        "{dot} 开房记录 {u:50-150}一次",
        "{dot} 户籍照片 {u:30-80}一张",
        "{dot} 快递料 {uf:1-5}一条",
        "{dot} 贷款客户料 {rmb:300-900}一万条",
    ),
    "card_cn": (
        "{dot} {bank}借记卡 四要素 {u:30-80}",
        "{dot} 信用卡全料 {u:60-200}",
        "{dot} 带余额截图的料 另议",
        "{dot} 白卡 写卡器 {u:100-300}",
    ),
    "card_intl": (
        "{dot} {country} CVV {u:8-25}",
        "{dot} {country} Fulls {u:30-60}",
        "{dot} 101 磁条 dump {u:40-90}",
        "{dot} 201 芯片 dump+pin {u:60-150}",
        "{dot} 按BIN定制 {u:10-30}",
    ),
    "money_laundering": (
        "{dot} 一类卡四件套 {rmb:1500-4000}",
        "{dot} 对公账户 {rmb:8000-20000}",
        "{dot} 聚合码 费率{n:1-4}%",
        "{dot} USDT 承兑 7.{n:0-3}{n:0-9}",
        "{dot} 支付宝收款码 日跑{n:5-50}w",
    ),
    "fake_identity": (
        "{dot} {country}护照模板 {u:15-40}",
        "{dot} 身份证正反面 {rmb:50-200}",
        "{dot} 手持照 {rmb:80-300}",
        "{dot} 驾照 PSD {u:20-50}",
    ),
    "kyc_bypass": (
        "{dot} 交易所KYC {u:20-80}",
        "{dot} 支付宝过脸 {rmb:100-400}",
        "{dot} 微信解封 {rmb:50-200}",
        "{dot} 活体视频 {u:10-40}",
    ),
    "sim_sms": (
        "{dot} {country}号码接码 {uf:1-9}",
        "{dot} 黑卡 {rmb:50-150}一张",
        "{dot} 物联网卡 {rmb:10-40}一张",
        "{dot} 短信通道 {n:3-8}分一条",
        "{dot} 猫池 {n:16-128}口 {rmb:1000-5000}",
    ),
    "account_trade": (
        "{dot} 飞机老号 {u:2-6}",
        "{dot} 协议号 {uf:5-9}",
        "{dot} tdata {u:1-3}",
        "{dot} 苹果ID {uf:2-9}",
        "{dot} {platform}老号 {rmb:80-400}",
    ),
    "hacking_service": (
        "{dot} 拿shell {u:200-800}",
        "{dot} 后台数据 {u:500-3000}",
        "{dot} DDoS 包天 {u:100-300}",
        "{dot} 内网渗透 另议",
        "{dot} 撞库 {uf:1-5}一条",
    ),
    "hacking_tool": (
        "{dot} CS 免杀 {u:100-300}",
        "{dot} 远控 {u:300-1200}",
        "{dot} 哥斯拉魔改 {u:50-200}",
        "{dot} fscan 定制 {u:30-100}",
        "{dot} 0day 另议",
    ),
    "fraud_service": (
        "{dot} 杀猪盘话术 {u:100-400}",
        "{dot} 钓鱼页面 {u:300-1000}",
        "{dot} 股民粉 {uf:5-9}一个",
        "{dot} 资金盘源码 {u:2000-8000}",
    ),
    "gambling": (
        "{dot} 菠菜源码 {u:1000-5000}",
        "{dot} 棋牌 {n:20-80}款游戏",
        "{dot} 代理返佣 {n:30-60}%",
        "{dot} 赌客粉 {rmb:10-50}一个",
    ),
    "drugs": (
        "{dot} 叶子 {rmb:200-400}一克",
        "{dot} 烟油 {rmb:400-900}一支",
        "{dot} 邮票 {rmb:100-250}一张",
        "{dot} 同城埋包 外地快递",
    ),
    "escrow_guarantee": (
        "{dot} 公群 上押{u:5000-30000}",
        "{dot} 专群 {u:50-200}",
        "{dot} 担保费 {n:1-5}%",
        "{dot} 纠纷处理 24小时内",
    ),
}
