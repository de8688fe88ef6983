"""Offer templates for intrusion, tools, scams, gambling and drugs, plus the market's own
governance: escrow notices and scam exposures.

The project's own writing. One block per market; each template starts with a line
``=== <intent>`` (sell, buy, recruit, other). Slot syntax in ``phrasebook``.
"""

from __future__ import annotations

TECH_SOURCES: dict[str, str] = {
    "hacking_service": """
=== sell
{e}接单 渗透测试 拿站 提权 内网横向{e}
菠菜站 {platform}商家后台 学校站 都可以接
拿shell {u:200-800}  后台数据 {u:500-3000} 起
先看站后报价 {contact}
=== sell
DDoS 打D 服务 {e}
T级流量 CC攻击 {n:10-60}分钟 {u:30-80}
包月{u:800-2000} 打不死不收钱 {tg}
=== sell
撞库服务 {platform}/{platform}
{yi}组合字典 命中率{n:1-5}% 出结果按条结算 {uf:1-5}一条
{vx}
=== sell
黑站 挂马 黑帽SEO 劫持 {platform}收录
快排 {rmb:3000-8000}一个月 {contact}
=== buy
求 大佬帮拿个站 {platform}商家后台 价格好说 {tg}
=== buy
找渗透师傅 要内网提权 有能力的私 {u:1000-5000}起步
=== other
现在这些站WAF都上了 单靠扫描器拿不下来
=== other
最近接了个单 内网横向做到一半 对面应急响应了
机器全下线 尾款还没结 这种情况你们一般怎么算
""",
    "hacking_tool": """
=== sell
{e}CS 4.9 免杀 beacon 过{av}{e}
自研加载器 全版本Win 上线稳定
单次{u:100-300} 包月{u:800-1500} {contact}
=== sell
远控 木马 定制 {e}
免杀过 {av} {av} Defender
带键盘记录 屏幕监控 文件管理 {u:300-1200}
{tg}
=== sell
冰蝎 / 哥斯拉 / 蚁剑 魔改版 流量加密 过WAF
webshell管理全套 {u:50-200} {vx}
=== sell
{platform} 0day exp 前台RCE 未公开
{u:2000-20000} 只卖一份 {contact}
=== sell
fscan 魔改 + frp 内网穿透 打包出
一键扫描 弱口令 {n:20-100}个漏洞检测 {u:30-100}
{tg}
=== sell
短信轰炸机 呼死你 {n:300-3000}个接口 {rmb:100-500}一个月
短信嗅探设备 现货 {contact}
=== buy
收 {platform} 0day 或者 1day 能打的都要 价格私聊 {tg}
=== other
fscan扫完一堆弱口令 哥斯拉连上去就被查杀了 有没有更好的免杀
=== other
冰蝎4.0跟哥斯拉哪个好用 蚁剑是不是过时了
=== other
请教一下各位师傅
目标是{platform}的一个子站 fscan扫出来开了6379跟8080
redis未授权能写 但是写进去的webshell一直解析不了
蚁剑连不上 是不是路径不对
=== other
CS上线了但是beacon老掉 是不是被{av}拦了
""",
    "fraud_service": """
=== sell
{e}杀猪盘 全套话术{e}
情感/投资/博彩 三套剧本 从破冰到上分 {n:30-90}天完整流程
{u:100-400} 送{n:10-50}套养号素材 {contact}
=== sell
专业引流 {platform}粉 股民粉 宝妈粉 交友粉
{uf:5-9}一个 日出{n:1-5}k {tg}
=== sell
钓鱼页面搭建 {bank}/{platform}/ETC 全套
后台实时回传 带短信拦截 {u:300-1000}一套 {vx}
=== sell
资金盘 搭建 源码 {n:1-7}天上线
理财/区块链/商城 模板 {u:2000-8000} 包售后 {contact}
=== sell
空包 代发 单号 刷单 {platform} 真实物流 {rmb:1-3}一单 {tg}
=== buy
收 {platform}交友粉 要女粉 量大长期 {tg}
=== recruit
诚招 话务 键盘手 {country}园区 包吃住
底薪{rmb:8000-15000}+提成 {contact}
=== other
杀猪盘最近好难做 客户都精了 话术得换
""",
    "gambling": """
=== recruit
{e}{e}{casino} 招代理{e}{e}
真人视讯 体育 棋牌 彩票 电子
代理返佣 {n:30-60}% 日结 无门槛
{contact}
=== sell
出 菠菜源码 棋牌 {n:20-80}款游戏 带后台
可定制 {u:1000-5000} 搭建+运维 {tg}
=== sell
BC推广 {platform}/{platform} 引流 精准赌客粉 {rmb:10-50}一个 {vx}
=== sell
**{casino}** 首存送{n:20-100}% 无限返水
提款秒到 USDT 存取 {tglink}
=== buy
收 菠菜 高质量推广渠道 {tg}
=== other
昨天在{casino}输了{n:2-20}k 这把一定翻本
=== other
彩票群那个老师带的单准不准
""",
    "drugs": """
=== sell
{e}叶子 精品室内{e}
{city}同城埋包 外地快递 包装防闻
{n:3-10}g起 {rmb:200-400}一克 只走担保
{tg}
=== sell
烟油 {n:1-2}ml {rmb:400-900} 邮票 {rmb:100-250}一张 {city}{city}可埋 {contact}
=== sell
猪肉 冰 量大从优 熟客私 {tg}
=== buy
有没有{city}能埋包的 要叶子 {n:5-20}g
=== other
上次拿的叶子太潮了 一股霉味
=== other
邮票贴了没感觉 是不是放太久了
""",
    "escrow_guarantee": """
=== other
**{guarantee} 官方公告** {e}
本群为{guarantee}公群 {gq} 群老板已上押{u:5000-30000}
交易请走群内担保 私下交易被骗概不负责
开专群联系 {tg}
=== sell
{e}{guarantee}{e}
公群/专群 拉群{u:50-200} 担保费{n:1-5}%
保证金{u:3000-20000}起 实力老板优先
{tglink}
=== other
交易规则：
1. 上押后才能发广告
2. 先走担保再交货
3. 纠纷由{guarantee}客服裁定
4. 骗子一律扣押金赔付
=== other
专群{gq} 交易完成 {u:200-5000} 已放款
买方已确认收货 {guarantee}为您保驾护航
=== buy
找个靠谱担保 {u:1000-5000}的单 有专群的私
=== other
{guarantee}靠谱么 押金才{u:1000-3000} 感觉压不住
""",
    "scam_report": """
=== other
{e}曝光骗子{e}
飞机：{scammer}  显示名：{scam_name}
收了我{u:100-3000}的货款 发了一堆假料 然后拉黑跑路
收款地址 {scam_tron}
大家避雷！
=== other
【避雷】{scam_name} {scammer} 黑吃黑
冒充{guarantee}公群老板 实际是假群
已经有{n:3-15}个兄弟被骗 总金额超过{u:5000-50000}
转发扩散 #曝光 #避雷
=== other
{scammer} 这人卖{item} 收钱不发货 被骗{rmb:2000-30000} 谁认识 求扒
=== other
{guarantee} 跑路了！押金全没了 公群全解散 大家赶紧止损
=== other
【曝光】{scam_name} {scammer}
事情经过：{n:3-20}号在{guarantee}公群看到他出{item} 私聊谈好价格{u:200-2000}
他说走担保太慢 让我直接打到 {scam_tron}
钱一到账就把我拉黑了 群里的号也退了
证据：聊天记录 转账记录 都有截图
=== other
⚠️ 黑吃黑预警 ⚠️
{scammer} 专门冒充各大担保的客服 拉人进假专群
假群名字跟{guarantee}一模一样 就差一个字
押金打进去就没了 已知受害人{n:5-30}个
真的担保客服不会主动私聊 大家看清楚
=== other
跑路通知：{guarantee}旗下公群今天全部解散
群老板押金{u:5000-50000} 说是被冻结了 其实就是跑路
还在群里交易的兄弟赶紧联系对方 能追回多少算多少
#跑路 #避雷
=== other
{scammer} 靠谱吗 有人跟他交易过没 怕被骗
=== other
**曝光** {scammer}（{scam_name}）
说好的{item} 钱到了就失联 换了好几个号继续骗
认准这个地址 `{scam_tron}` 别再往里打钱了
""",
}
