"""Hand-written non-entities that look like entities (the trap corpus).

Each template names the type it imitates; ``{slot}`` fills random digits, dates, hex …
so that the same shape is tried with many values. None of them is an entity of the
imitated type; most are no entity at all.
"""

from __future__ import annotations

import random
import string
from collections.abc import Callable

TRAPS: tuple[tuple[str, str], ...] = (
    # phone: digits that are not a phone
    ("phone", "订单号：{d11_1}"),
    ("phone", "单号 {d11_1} 已发货"),
    ("phone", "运单号{d11_1}，请查收"),
    ("phone", "快递单号：{d11_1} 中通"),
    ("phone", "交易号 {d11_1}"),
    ("phone", "价格 {d11_1}元 不讲价"),
    ("phone", "一共 {d11_1}条 数据"),
    ("phone", "UID: {d11_1}"),
    ("phone", "订单编号 {d18}"),
    ("phone", "时间戳 {ts13}"),
    ("phone", "流水号：{d20}"),
    ("phone", "卡号 {card_ok} 可用"),
    ("phone", "身份证 {cnid_ok}"),
    ("phone", "日期 {date} {time} 到账"),
    ("phone", "第{d3}期 开奖号码 {lotto}"),
    ("phone", "余额 {d11_1}u 已冻结"),
    ("phone", "{d5} {d6} 这两个数字你自己算"),
    ("phone", "版本号 {d11_1}"),
    ("phone", "ID {d11_1} 的用户被封了"),
    ("phone", "No. {d11_1}"),
    ("phone", "order #{d11_1} shipped"),
    ("phone", "tracking {d11_1} UPS"),
    ("phone", "群号 {d11_1}"),
    ("phone", "+{d3} 个人已加入"),
    ("phone", "评价 +1 +1 +1"),
    ("phone", "累计成交 {d11_1}笔"),
    # card_number
    ("card_number", "订单号 {visa_ok}"),
    ("card_number", "交易号：{visa_ok}"),
    ("card_number", "参考号 {visa_ok}"),
    ("card_number", "卡号 {visa_bad}（打错了）"),
    ("card_number", "{visa_bad} 这个是假的 过不了校验"),
    ("card_number", "流水 {d16}"),
    ("card_number", "时间戳 {ts13}{d3}"),
    ("card_number", "编号 {d19}"),
    ("card_number", "账单号 {unionpay_ok}"),
    ("card_number", "serial no. {visa_ok}"),
    ("card_number", "SN: {d16}"),
    ("card_number", "1234 5678 9012 3456 这是示例格式 不是卡"),
    ("card_number", "电话 {mobile} {mobile}"),
    # card_bin
    ("card_bin", "手机号 138****{d4} 已实名"),
    ("card_bin", "密码 ******** 别外传"),
    ("card_bin", "评分 ***** {d2}条好评"),
    ("card_bin", "身份证 3301**********{d4}"),
    ("card_bin", "订单 {d6}******{d4} 已完成"),
    # cn_id
    ("cn_id", "订单号 {id_bad}"),
    ("cn_id", "身份证 {id_bad} 校验不过 是假的"),
    ("cn_id", "编号 {d18}"),
    ("cn_id", "{d17}X 不是身份证"),
    ("cn_id", "快递 {d18}"),
    # qq
    ("qq", "价格 {d6} 起"),
    ("qq", "{d6}条 数据"),
    ("qq", "群里 {d5} 人"),
    ("qq", "QQ音乐 会员 {d2}元一个月"),
    ("qq", "qq号 被冻结了"),
    ("qq", "Q币 {d3} 个"),
    ("qq", "QQ空间 访问量 {d5}"),
    ("qq", "订单 {d9}"),
    ("qq", "Q:有没有人要料"),
    # wechat
    ("wechat", "微信 已封 别加了"),
    ("wechat", "微信支付 {d3}元"),
    ("wechat", "vx 同号"),
    ("wechat", "加微信的都是骗子"),
    ("wechat", "微信号被封了 {d2}天"),
    ("wechat", "wechat pay accepted"),
    # telegram
    ("telegram_handle", "邮箱 {user}@qq.com"),
    ("telegram_handle", "@所有人 注意"),
    ("telegram_handle", "@{d6}"),
    ("telegram_handle", "@ab"),
    ("telegram_handle", "user@example.com"),
    ("telegram_handle", "t.me/share/url?url=abc"),
    ("telegram_handle", "@_bad_name"),
    ("telegram_handle", "@bad__name"),
    ("telegram_handle", "飞机 已经被封了"),
    ("telegram_handle", "电报 不稳定 用土豆"),
    # email
    ("email", "@{user} 你好"),
    ("email", "{user}@localhost"),
    ("email", "git@github"),
    ("email", "价格 5u@条"),
    # domain
    ("domain", "版本 v{ver}"),
    ("domain", "运行 setup.py 然后 README.md"),
    ("domain", "文件 data.zip 解压密码 {d6}"),
    ("domain", "价格 {d2}.{d2}元"),
    ("domain", "{d2}.{d1}w 条"),
    ("domain", "i.e. the seller left"),
    ("domain", "e.g. fresh leads"),
    ("domain", "Mr.Wang 说的"),
    ("domain", "No.{d3}"),
    ("domain", "文件名 config.json 和 main.go 在这"),
    ("domain", "下载 app.apk 安装"),
    ("domain", "image.png 看图"),
    ("domain", "{d1}.{d1}.{d1}版本更新了"),
    ("domain", "今天是{d2}.{d2}号"),
    # url
    ("url", "http 协议 不安全"),
    ("url", "https 证书 过期了"),
    ("url", "//注释 不是链接"),
    ("url", "路径 C://Users/admin"),
    # ipv4
    ("ipv4", "版本 {ver}"),
    ("ipv4", "v{ver}"),
    ("ipv4", "version {ver}"),
    ("ipv4", "{o3}.{o3}.{o3}.{o3}"),
    ("ipv4", "日期 {d2}.{d2}.{d2}"),
    ("ipv4", "1.2.3.4.5 这是序号"),
    ("ipv4", "价格 1.2.3 档"),
    ("ipv4", "固件 {ver}"),
    # ipv6
    ("ipv6", "时间 {time}"),
    ("ipv6", "{time} 到 {time}"),
    ("ipv6", "MAC {mac}"),
    ("ipv6", "比分 3:2:1"),
    ("ipv6", "比例 1:1:1 混合"),
    ("ipv6", "std::vector<int> a;"),
    ("ipv6", "a::b::c 命名空间"),
    # cve
    ("cve", "CVE 编号还没出"),
    ("cve", "CVE-{d4}"),
    ("cve", "cve-abc-1234"),
    # hashes
    ("sha1", "commit {hex40}"),
    ("sha1", "git checkout {hex40}"),
    ("sha1", "git log 显示 {hex7}"),
    ("md5", "颜色 #{hex6} 和 #{hex3}"),
    ("md5", "uuid {uuid}"),
    ("md5", "{d32}"),
    ("md5", "{alpha32}"),
    ("sha256", "txid {hex64}"),
    ("sha256", "交易哈希 {hex64}"),
    ("sha256", "tx hash: {hex64}"),
    ("sha256", "{mixedhex64}"),
    ("eth_address", "0x{hex39}"),
    ("eth_address", "{bad_eth}"),
    ("eth_address", "0x{hex64}"),
    ("eth_address", "颜色 0x{hex6}"),
    # wallets
    ("tron_address", "{bad_tron}"),
    ("tron_address", "T{alnum33}"),
    ("tron_address", "ThisIsNotAnAddressButLongEnough12"),
    ("btc_address", "1{alnum33}"),
    ("btc_address", "3{alnum33}"),
    ("btc_address", "bc1{lowalnum39}"),
    ("btc_address", "{bad_btc}"),
    ("ltc_address", "L{alnum33}"),
    ("ltc_address", "M{alnum33}"),
    ("xmr_address", "4{alnum94}"),
    ("onion", "{lowalnum56}.onion"),
    ("onion", "xxx.onion 是假的"),
    # money
    ("price", "{d4}年{d1}月"),
    ("price", "{d2}点前发货"),
    ("price", "第{d2}条"),
    ("price", "{d2}个小时"),
    ("price", "U盘 {d2}个"),
    ("price", "{d3}uid"),
    ("price", "{d2}GB 内存"),
    ("price", "前{d2}名"),
    ("price", "iPhone {d2} 到货"),
    ("quantity", "4G网络 5G网络"),
    ("quantity", "{d1}G流量卡"),
    ("quantity", "{d2}G内存"),
    ("quantity", "价格 {d3}u/条"),
    ("quantity", "{d3}元/万条"),
    ("quantity", "每{d2}条一组"),
    ("quantity", "{d4}年{d2}月{d2}日"),
    ("quantity", "{d2}点{d2}分"),
    ("quantity", "第{d2}期"),
    ("quantity", "{d2}岁 男"),
    ("quantity", "{d3}米"),
    # contact
    ("contact", "土豆 丝 好吃"),
    ("contact", "蝙蝠侠 电影"),
    ("contact", "signal 不好 掉线"),
    ("contact", "line 一条线"),
    ("contact", "支付宝 被风控了"),
    ("contact", "session 过期 重新登录"),
)


def _digits(r: random.Random, n: int, first: str = "123456789") -> str:
    return r.choice(first) + "".join(r.choice(string.digits) for _ in range(n - 1))


def _fillers(r: random.Random) -> dict[str, Callable[[], str]]:
    from tests.analysis.entities import make_vectors as mv

    def hexs(n: int) -> Callable[[], str]:
        return lambda: "".join(r.choice("0123456789abcdef") for _ in range(n))

    def alnum(n: int, alphabet: str = string.ascii_letters + string.digits) -> Callable[[], str]:
        return lambda: "".join(r.choice(alphabet) for _ in range(n))

    def visa_bad() -> str:
        good = mv.card("visa")[0]
        return good[:-1] + str((int(good[-1]) + 1) % 10)

    def id_bad() -> str:
        good = mv.cn_id()
        return good[:-1] + ("0" if good[-1] != "0" else "1")

    def bad_eth() -> str:
        good = mv.eip55(mv.rand_bytes(20).hex())
        flipped = good[2:].swapcase()
        return "0x" + flipped if flipped.lower() != flipped else good[:-1] + "G"

    def bad_b58(make: Callable[[], str]) -> Callable[[], str]:
        def f() -> str:
            good = make()
            alt = "2" if good[-1] != "2" else "3"
            return good[:-1] + alt

        return f

    return {
        "d11_1": lambda: "1" + r.choice("3456789") + _digits(r, 9, string.digits),
        "o3": lambda: str(r.randint(256, 999)),
        "d1": lambda: _digits(r, 1),
        "d2": lambda: _digits(r, 2),
        "d3": lambda: _digits(r, 3),
        "d4": lambda: _digits(r, 4),
        "d5": lambda: _digits(r, 5),
        "d6": lambda: _digits(r, 6),
        "d9": lambda: _digits(r, 9),
        "d16": lambda: _digits(r, 16),
        "d17": lambda: _digits(r, 17),
        "d18": lambda: _digits(r, 18),
        "d19": lambda: _digits(r, 19),
        "d20": lambda: _digits(r, 20),
        "d32": lambda: _digits(r, 32),
        "ts13": lambda: str(r.randint(1_600_000_000_000, 1_760_000_000_000)),
        "date": lambda: f"20{r.randint(18, 25)}-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}",
        "time": lambda: f"{r.randint(0, 23):02d}:{r.randint(0, 59):02d}:{r.randint(0, 59):02d}",
        "lotto": lambda: " ".join(f"{r.randint(1, 33):02d}" for _ in range(7)),
        "card_ok": lambda: mv.card()[0],
        "cnid_ok": mv.cn_id,
        "mobile": mv.mobile,
        "visa_ok": lambda: mv.card("visa")[0],
        "unionpay_ok": lambda: mv.card("unionpay")[0],
        "visa_bad": visa_bad,
        "id_bad": id_bad,
        "bad_eth": bad_eth,
        "bad_tron": bad_b58(mv.tron),
        "bad_btc": bad_b58(lambda: mv.b58check_encode(b"\x00" + mv.rand_bytes(20))),
        "user": lambda: mv.username().lower(),
        "ver": lambda: ".".join(str(r.randint(0, 12)) for _ in range(4)),
        "mac": lambda: ":".join(f"{r.getrandbits(8):02x}" for _ in range(6)),
        "hex3": hexs(3),
        "hex6": hexs(6),
        "hex7": hexs(7),
        "hex39": hexs(39),
        "hex40": hexs(40),
        "hex64": hexs(64),
        "alpha32": alnum(32, "abcdef"),
        "mixedhex64": alnum(64, "0123456789abcdefABCDEF"),
        "uuid": lambda: "-".join(hexs(n)() for n in (8, 4, 4, 4, 12)),
        "alnum33": alnum(33),
        "alnum94": alnum(94),
        "lowalnum39": alnum(39, "qpzry9x8gf2tvdw0s3jn54khce6mua7l"),
        "lowalnum56": alnum(56, "abcdefghijklmnopqrstuvwxyz234567"),
    }


def build_traps(r: random.Random, rounds: int = 2) -> list[dict[str, str]]:
    fill = _fillers(r)
    out: list[dict[str, str]] = []
    for _ in range(rounds):
        for imitates, template in TRAPS:
            text = template.format_map(
                {k: f() for k, f in fill.items() if "{" + k + "}" in template}
            )
            out.append({"text": text, "imitates": imitates})
    return out
