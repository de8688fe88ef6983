"""Offer templates for the data and money trades: personal data, cards (domestic and
foreign, kept apart as real groups keep them), laundering, identities, KYC, SIMs, accounts.

The project's own writing. One block per market; each template starts with a line
``=== <intent>`` (sell, buy, recruit, other). Slot syntax in ``phrasebook``.
"""

from __future__ import annotations

TRADE_SOURCES: dict[str, str] = {
    "data_leak": """
=== sell
{e}{e}一手料子 日更{e}{e}
{region}本地 实名+手机号 {wan:1-30}条起出
新鲜度保证 重复包赔 可先验样本{n:50-200}条
价格：{uf:2-8}一条 量大可谈
{contact}
=== sell
【出裤子】{platform}库 {yi} 带明文密码
字段：手机 姓名 身份证 地址 注册时间
{year}新脱的 没洗过 整库{u:800-3000} 可拆开卖
{sep}
{contact}
=== sell
{e}专业查档 开房记录/户籍/婚姻/出行轨迹{e}
身份证号查全家 手机号查机主 {n:10-60}分钟出结果
户籍 {u:30-80}  开房 {u:60-150}  轨迹 {u:100-300}
只走担保 不接同行钓鱼
{contact}
=== sell
**社工库机器人上线** {tglink}
输入手机号/QQ/邮箱 秒出关联信息 数据量{yi}
包月{u:20-50} 包年{u:150-300} 新用户送{n:3-10}次免费查询
#社工库 #sgk
=== sell
开盒 定位 一条龙 {e}
给个手机号 {n:1-3}小时内出：实名 住址 工作单位 常用车辆
实时定位 误差{n:50-500}米 {rmb:800-3000}一次
急单直接打电话 {phone}
不满意全退 {contact}
=== sell
出各类精准数据：股民 宝妈 贷款 {platform}粉 {region}车主
{wan:5-50}起拿 {rmb:200-900}一万条
一手渠道 内鬼直出 不是网上那种垃圾料
{vx}
{tg}
=== sell
{e}快递料 物流料 当天下单当天出{e}
{platform}订单 收件人+电话+地址 {uf:1-5}一条
{n:1-7}天内新料 {wan:1-10}条起 {contact}
=== buy
收{platform}新鲜料 要{year}的 {wan:1-10}条以上的来
价格好说 长期收 有的私{tg}
=== buy
求购 {region}开房记录 要近三个月的 有渠道的老板滴滴 {tg}
=== buy
长期收各种裤子 {platform} 论坛 游戏库都要
出过的别来 验货后{u:100-2000}起 {contact}
=== recruit
诚招查档代理 {e}
后台自助下单 代理价低至{u:15-30}一条 一条起查
只要你有客户 渠道我们有 {tglink}
=== other
现在社工库出的料重复率太高了 十条里面七八条是老料
=== other
开房记录这东西现在还有真的么 上次花了{u:50-100}买了个假的
=== other
有没有大哥知道{platform}那个库是哪年脱的 群里好几个人在卖
=== other
说个事 前两天在群里买了一份{platform}的料
说是{year}新脱的 拿去一查全是前年的老料
重复率八成以上 找卖家就说不保新鲜度 呵呵
""",
    "card_cn": """
=== sell
{e}国内卡料 四要素{e}
卡号+密码+身份证+预留手机 {bank}居多
余额{n:1-5}w以上的单独标价 普通{u:30-80}一套
{contact}
=== sell
出 内料 {bank} {bank} 混料 带余额截图
{n:50-300}张打包 {u:800-2500} 可拆
白卡 写卡器一起出 新手包教
{tg}
=== sell
国内卡料 一手 {region}本地卡 {e}
带网银 带密码 当天料当天出 {uf:20-60}一条
只接老客 新客先小单 {contact}
=== sell
{e}{e}国内 信用卡 全料{e}{e}
卡号 有效期 CVV 持卡人身份证 预留手机 {bank}/{bank}
额度{n:1-10}w 起 {u:60-200}/套 测卡死了包换
{sep}
{contact}
=== buy
收 国内卡料 {bank}的 要有余额的 {n:10-50}套 长期 {tg}
=== buy
求 靠谱内料 上家跑路了 有量的老板私我 {tg}
=== recruit
招 卡料代理 国内料 代理价{u:20-40} 自己定价 {contact}
=== other
内料现在风控太严了 刷两单就冻
=== other
国内卡 {bank}的料是不是都不行了 十张死八张
""",
    "card_intl": """
=== sell
{e}{e} 外卡 CVV 日更 {e}{e}
{country} {country} {country} 有货
101 / 201 都有 Fulls 带 SSN + DOB
BIN：{bin}  {bin}  命中高
CVV {u:8-25}一条  Fulls {u:30-60}一条
{contact}
=== sell
出 {country}卡料 dump+pin 一手track2
201芯片卡 可做白卡 写卡工具送
{n:100-500}条起批 老客户有优惠
{tg}
=== sell
**CC Checker 在线测卡** {tglink}
支持 Visa / Master / Amex 活卡率实时显示
{uf:1-5}一次 包月{u:50-120}
=== sell
外卡 全料 fulls 带账单地址 邮编 电话
{country} 高额卡 额度{n:3-20}k刀以上
单价{u:40-120} 死卡包换 只换不退
{vx}
{tg}
=== sell
{e}外卡料站 {tglink}{e}
自助购买 {country}/{country} CVV 按BIN搜索
充值 USDT 最低{u:20-50} 活率{n:70-95}%
=== buy
收 {country} CVV 活率要八成以上 长期要量 {tg}
=== buy
求 {country}卡头 {bin} 有的老板私聊报价
=== recruit
诚招外卡料站代理 五五分成 自带客户的优先 {contact}
=== other
101和201到底啥区别 一个是磁条一个是芯片？新人求教
=== other
最近{country}的卡死得好快 刚拿的CVV一半不过
=== other
新手问一下 买了{n:10-50}条{country} CVV
测了一半是死卡 卖家说是我的IP不干净
要用对应地区的住宅IP 真的假的
""",
    "money_laundering": """
=== sell
{e}USDT 承兑 {e}
大额U商 日走{n:50-500}w 汇率7.{n:0-3}{n:0-9}
只接灰 不接黑 杀料勿扰
{bank}/支付宝/微信 秒到
{contact}
=== sell
出 四件套 {bank} 一类卡 带U盾 手机卡 身份证
{region}开户 卡农一手 {rmb:1500-4000}一套
对公账户 {rmb:8000-20000} 带执照 可走流水
{tg}
=== sell
跑分车队 稳定 码商直招
微信/支付宝/云闪付 聚合码 日跑{n:10-100}w
费率{n:1-4}.{n:0-9}% 当天结算
{contact}
=== sell
水房 专业出金 多层卡 多层洗
换U 换现 换金 {n:1-24}小时到账
只接熟人介绍 新人押金{u:1000-5000}
{vx}
=== sell
代收代付 灰黑资金都能接 按笔结算 费率好谈
走网银 聚合码 {n:5-50}w起 {contact}
=== sell
大量回收 {country}区苹果卡 礼品卡 {n:5-9}折 走量的私 {tg}
=== buy
收 四件套 {bank}/{bank} 要{region}的 卡农私聊 价格好 {tg}
=== buy
求稳定U商 每天{n:10-50}w的量 费率合理就长期合作
=== recruit
招跑分码商 {e} 有微信支付宝就能做 日入{rmb:300-2000}
零押金 秒结 {contact}
=== recruit
卡农招募：{region}地区 收一类卡 一张给{rmb:800-2000}
介绍人另有提成 {tg}
=== other
跑分这东西到底安不安全 听说好多人卡被冻了
=== other
问一下 跑分是怎么玩的
是不是把收款码给车队 他们往里打钱 我再转出去就行
一天能赚多少 会不会被冻卡
=== other
昨天U商那边冻了{n:2-30}w 说是被查了 大家走量注意点
""",
    "fake_identity": """
=== sell
{e}出各国证件 护照 驾照 身份证 {e}
{country}/{country}/{country} 高清PSD模板 可改任意信息
模板{u:15-40}一套 代P {u:5-15}一张
{contact}
=== sell
身份证正反面+手持 一套{rmb:50-200}
男女 年龄 地区可选 {wan:1-5}套库存
可配合做活体视频 {tg}
=== sell
出 手持照 手持白纸 手持身份证正反 全套{rmb:80-300}
{n:18-60}岁 全国各地 一手真人 不是网图
{contact}
=== buy
收 {country}护照照片 要清晰的 带手持 量大 {tg}
=== other
现在PS的证件过不了机审吧 有没有懂的
""",
    "kyc_bypass": """
=== sell
{e}代实名 代认证 过人脸{e}
交易所 KYC：各大所都能做 {country}身份
{platform}实名 解封 {n:10-60}分钟出结果
{u:20-80}一次 失败不收费
{contact}
=== sell
活体认证 过脸 眨眼 摇头 张嘴 全部搞定
支付宝 微信 {platform} 银行APP 均可
单次{rmb:100-400} 批量更便宜 {vx}
=== sell
{country}银行 代开户 本人不用到场 全套资料我们出
{u:300-800}一户 送网银 {tg}
=== sell
微信解封 {platform}解封 辅助验证 {rmb:50-200}一次 秒上车 {vx}
=== buy
求 能过{platform}人脸的师傅 量大 长期 {tg}
=== other
交易所KYC最近查得好严 代认证的号用两天就风控了
""",
    "sim_sms": """
=== sell
{e}接码平台 {tglink}{e}
国内三网 + {country}号码 秒收验证码
{platform}/{platform}/{platform} 全部能收
单条{uf:1-9} 包月更优惠
=== sell
出 黑卡 免实名 {carrier}卡 {n:100-2000}张现货
能收短信 各种APP都能注册 月租{rmb:5-30}
卡商直供 {contact}
=== sell
猫池设备 {n:16-128}口 带卡一起出
物联网卡 流量卡 三网通 批发价 {vx}
=== sell
短信通道 {e} 三网通 到达率{n:90-99}%
营销/验证码/菠菜都能发 {n:3-8}分钱一条 {tg}
=== sell
{country}实体卡 落地就能用 接码注册{platform} {u:3-10}一张
卡商一手 {contact}
=== buy
收 {carrier}实名卡 {n:100-1000}张 要开通短信的 {tg}
=== recruit
招卡商 收各地手机卡 一张给{rmb:20-80} 长期收 {contact}
=== other
接码平台最近都收不到{platform}的码 是不是风控升级了
""",
    "account_trade": """
=== sell
{e}出飞机号{e}
{country}协议号 / tdata / session 直登
老号 {u:2-6}一个 白号 {uf:5-9}一个 {n:500-5000}个现货
{contact}
=== sell
出 {platform}老号 {n:3-10}年号 带好友 带朋友圈
实名 {rmb:80-400}一个 可换绑 包登录 {vx}
=== sell
苹果ID {country}区 {uf:2-9}一个 已开双重认证
外区Gmail 老邮箱 都有货 {tg}
=== sell
支付宝账号 {bank}绑卡 实名 可收款 {rmb:300-800}一个
{n:50-300}个起拿 {contact}
=== buy
高价收 {platform}老号 {n:2-8}年以上 {rmb:50-300}一个 {tg}
=== other
买的协议号登上去就掉 这卖家不靠谱
""",
}
