"""A pinned digest of everything the extractor outputs, so that no change slips through.

The digest covers ``extract_entities(text, include_invalid=...)``, both ways, for every
entity (type, value, normalized form, span, validity and its attrs, sorted) over two sets
of texts: every text of the labelled corpus and of the traps (``data/*.jsonl``), and a few
thousand adversarial strings generated below from a fixed seed (digit runs with
separators, cue words, handles, links, defanged domains, prices and units, full-width
forms, checksummed identifiers and near-misses).

It was recorded on the extractor as it was before the speed-up that rewrote its regexes
for the engine's skip-ahead, added cheap gates and remembered repeated lookups: that work
had to leave every output as it was, and this test holds it (and any later speed work) to
that.

When a change of behaviour is intended (a new finder, a fixed false positive), the digest
moves. Then look at what changed before pinning the new value: write the outputs out
before and after your change with
``.venv/bin/python -m tests.analysis.entities.test_output_digest > before.txt`` (and
``after.txt``), diff the two files, and when every difference is one you meant, paste
the digest from the failed assertion below and say why in the commit. An upgrade of
phonenumbers (metadata), tldextract (suffix list) or python-stdnum can move it too.
"""

from __future__ import annotations

import hashlib
import json
import random
import string
from collections.abc import Callable, Iterator

from stdnum.cn import ric

from jianghu.analysis.entities import Entity, extract_entities
from jianghu.analysis.entities.checksums import b58check_encode, eip55, luhn_ok, segwit_encode
from jianghu.analysis.entities.evaluate import DATA_DIR

PINNED = "ff5ea470573448b20c2efbfe120cc8674cb0dcfa1e3f2d1baf28e3965e76fe86"
SEED = 20261130
GENERATED = 4000

_TOKENS = (
    "1", "3", "8", "6", "0", "9", "+", "-", " ", "  ", "\n", "a", "x", "X", "*", "#", "•",
    ".", ",", "/", ":", "：", "=", "@", "_", "[.]", "(.)", "{.}", "[dot]", "(dot)", "[:]",
    "u", "U", "r", "R", "元", "块", "刀", "毛", "角", "美金", "个比特币", "w", "W", "k", "万",
    "千", "亿", "百万", "条", "张", "套", "组", "粉", "粉丝", "户", "G", "GB", "T", "网", "卡",
    "每", "一", "单", "包月", "/条", "到", "~", "～", "¥", "￥", "$", "US$", "RMB", "rmb",
    "usdt", "USDT", "Usdt", "trc", "erc", "bep", "20", "泰达币", "q", "Q", "qq", "QQ", "扣扣",
    "企鹅", "微信", "weixin", "wechat", "v", "V", "vx", "wx", "薇", "威", "威胁", "v信", "加v",
    "飞机", "電報", "telegram", "tg", "tgx", "bat", "batman", "potato", "土豆", "signal",
    "session", "whatsapp", "whats app", "wa", "line", "line id", "支付宝", "zfb", "alipay",
    "号", "号码", "账号", "群", "ID", "id", "订单", "单号", "order", "ref", "No.", "uid",
    "版本", "ver", "build", "txid", "commit", "git", "卡号", "身份证", "电话",
    "@", "＠", "t.me/", "T.ME/", "telegram.me/", "t.dog/", "joinchat/", "s/", "+",
    "tg://resolve?domain=", "https://", "http://", "HTTPS://", "hxxp://", "hXXps://",
    "ftp://", "FTP://", "httpſ://", "[://]", "[:]//", "://", "//", "www.", "WWW.",
    "h", "f", "t", "s", "ſ", "com", "cn", "co.uk", "onion", ".onion", "py", "md", "Mr.",
    "cve", "CVE-", "CVE-2021-44228", "::", "fe80", "2001:db8::1", "a:b:c",
    "１", "２", "８", "Ａ", "ｘ", "：", "，", "\u3000", "İ", "K", "Å", "ß", "ﬁ", "①②③",
    "一二三", "幺", "😂", "🧧", "\u200b", "\xa0",
)  # fmt: skip
_CUES = (
    "QQ", "qq:", "扣扣", "企鹅号", "微信", "vx", "V:", "薇：", "飞机", "TG", "telegram",
    "potato", "蝙蝠", "signal", "session", "WA:", "line id:", "支付宝", "zfb", "威胁:",
)  # fmt: skip
_FILLERS = ("", " ", ":", "：", " : ", "=", "号", "号码", "账号", "ID", " ID：", "群")
_UNITS = (
    "u", "U", "usdt", "USDT", "元", "块", "rmb", "r", "刀", "美金", "btc", "毛", "角",
    "条", "张", "套", "组", "粉", "户", "G", "GB", "T", "w", "W+", "万", "亿", "k", "个",
)  # fmt: skip
_CURRENCY_SIGNS = ("", "¥", "$", "RMB ", "USDT")
_TLDS = (
    "com", "net", "cc", "top", "io", "cn", "com.cn", "co.uk", "onion", "py", "zip",
    "wang", "xn--fiqs8s", "local", "c", "COM",
)  # fmt: skip
_HANDLE_LEADS = ("@", "＠", " @", "x@", "t.me/", "https://t.me/", "t.me/+", "tg://resolve?domain=")
_SCHEMES = ("http", "hxxps", "HTTPS", "ftp", "hxxp")
_SCHEME_SEPS = ("://", "[://]", "[:]//")
_URL_TAILS = ("", "/", "/a?b=c", ":8080/x", "/中文", ")")
_CARD_PREFIXES = (
    "4", "51", "55", "2221", "2720", "34", "37", "6222", "6212", "3528",
    "6011", "65", "30", "36", "6759", "5018", "2200",
)  # fmt: skip
_HEX = ("0123456789abcdef", "0123456789ABCDEF")
_BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_INTL_LEADS = ("+1 ", "+852 ", "+44 7", "0044 7", "+60 1")
_MOBILE_PREFIXES = ("138", "139", "186", "177", "150", "188", "199", "166", "173", "195")


def _digits(r: random.Random, n: int) -> str:
    return "".join(r.choice(string.digits) for _ in range(n))


def _alnum(r: random.Random, n: int, alphabet: str = string.ascii_letters + string.digits) -> str:
    return "".join(r.choice(alphabet) for _ in range(n))


def _luhn(r: random.Random) -> str:
    prefix = r.choice(_CARD_PREFIXES)
    body = prefix + _digits(r, r.choice((13, 14, 15, 16, 18)) - len(prefix))
    good = next(body + d for d in string.digits if luhn_ok(body + d))
    return good if r.random() < 0.8 else body + str((int(good[-1]) + 1) % 10)


def _grouped(r: random.Random, digits: str) -> str:
    sep = r.choice((" ", "-", "", "  "))
    return sep.join(digits[i : i + 4] for i in range(0, len(digits), 4))


def _cn_id(r: random.Random) -> str:
    body = r.choice(("110105", "310104", "440305", "360426", "999999"))
    body += f"{r.randint(1900, 2015)}{r.randint(1, 13):02d}{r.randint(1, 31):02d}{_digits(r, 3)}"
    check = ric.calc_check_digit(body)
    return body + (check if r.random() < 0.8 else r.choice("0123456789X"))


def _wallet(r: random.Random) -> str:
    kind = r.randrange(6)
    if kind == 0:
        return b58check_encode(bytes([r.choice((0x41, 0x00, 0x05, 0x30, 0x32))]) + r.randbytes(20))
    if kind == 1:
        return segwit_encode(r.choice(("bc", "ltc")), r.choice((0, 1)), r.randbytes(32))
    if kind == 2:
        return eip55(r.randbytes(20).hex())
    if kind == 3:  # digests and hex runs of every near length
        length = r.choice((31, 32, 40, 41, 64))
        return _alnum(r, length, r.choice(_HEX))
    if kind == 4:
        return "0x" + r.randbytes(20).hex()
    return _alnum(r, r.choice((25, 33, 34, 35, 42, 62, 95, 106, 111)), _BASE58)


def _phone(r: random.Random) -> str:
    number = r.choice(_MOBILE_PREFIXES) + _digits(r, 8)
    style = r.randrange(6)
    if style == 1:
        number = f"{number[:3]} {number[3:7]} {number[7:]}"
    elif style == 2:
        number = f"{number[:3]}-{number[3:7]}-{number[7:]}"
    elif style == 3:
        number = "+86 " + number
    elif style == 4:
        lead = r.choice(_INTL_LEADS)
        number = lead + _digits(r, r.randint(5, 10))
    return number


def _amount(r: random.Random) -> str:
    kind = r.randrange(5)
    if kind == 0:
        return str(r.randint(0, 99999))
    if kind == 1:
        return f"{r.randint(0, 999)}.{_digits(r, r.randint(1, 4))}"
    if kind == 2:
        return f"{r.randint(1, 999)},{_digits(r, 3)}"
    if kind == 3:
        return f"{r.randint(1, 99)}{r.choice(('-', '~', '到', ' - '))}{r.randint(1, 999)}"
    return _digits(r, r.randint(12, 32))


def _host(r: random.Random) -> str:
    dot = r.choice((".", ".", "[.]", "(.)", "{.}", "[dot]", " . "))
    labels = [_alnum(r, r.randint(1, 10), string.ascii_lowercase + string.digits + "-")
              for _ in range(r.randint(1, 3))]  # fmt: skip
    return dot.join([*labels, r.choice(_TLDS)])


def _piece(r: random.Random) -> str:
    kind = r.randrange(14)
    if kind == 0:
        return r.choice((_luhn(r), _grouped(r, _luhn(r)), _cn_id(r)))
    if kind == 1:
        card = _luhn(r)
        return card[: r.randint(4, 8)] + r.choice("*xX#•") * r.randint(2, 8) + card[-4:]
    if kind == 2:
        return _wallet(r)
    if kind == 3:
        return _phone(r)
    if kind == 4:
        sign, amount, space = r.choice(_CURRENCY_SIGNS), _amount(r), r.choice(("", " "))
        return sign + amount + space + r.choice(_UNITS)
    if kind == 5:
        accounts = (
            _digits(r, r.randint(4, 12)),
            " ".join(_digits(r, 7)),
            "一二三四五六七",
            _alnum(r, r.randint(3, 20)),
            _phone(r),
            "+" + _digits(r, 11),
        )
        account = r.choice(accounts)
        return r.choice(_CUES) + r.choice(_FILLERS) + account
    if kind == 6:
        lead = r.choice(_HANDLE_LEADS)
        return lead + _alnum(r, r.randint(1, 34), string.ascii_letters + string.digits + "_")
    if kind == 7:
        scheme, sep, host = r.choice(_SCHEMES), r.choice(_SCHEME_SEPS), _host(r)
        return scheme + sep + host + r.choice(_URL_TAILS)
    if kind == 8:
        return _host(r) if r.random() < 0.7 else _alnum(r, 6) + "@" + _host(r)
    if kind == 9:
        octets = [str(r.randint(0, 300)) for _ in range(4)]
        return r.choice((".", "[.]", "(dot)")).join(octets)
    if kind == 10:
        return f"CVE-{r.randint(1990, 2030)}-{_digits(r, r.randint(3, 8))}"
    if kind == 11:
        return _digits(r, r.randint(1, 25))
    if kind == 12:
        return "".join(r.choice("0123456789 -.,:*x") for _ in range(r.randint(1, 30)))
    return r.choice(_TOKENS)


def _mutated(r: random.Random, s: str) -> str:
    chars = list(s)
    for _ in range(r.randint(1, 3)):
        if not chars:
            break
        i = r.randrange(len(chars))
        chars[i] = r.choice(string.ascii_letters + string.digits + " .-_@:/")
    return "".join(chars)


def _fullwidth(s: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in s)


def generated_texts(n: int = GENERATED, seed: int = SEED) -> list[str]:
    """``n`` adversarial strings, the same ones on every run."""
    r = random.Random(seed)
    texts = []
    for _ in range(n):
        parts = []
        for _ in range(r.choice((1, 1, 2, 3, 4, 6, 10))):
            part = _piece(r)
            if r.random() < 0.05:
                part = _fullwidth(part)
            if r.random() < 0.1:
                part = _mutated(r, part)
            parts.append(part + r.choice(("", "", " ", "，", "\n", r.choice(_TOKENS))))
        texts.append("".join(parts))
    return texts


def corpus_texts() -> list[str]:
    texts = []
    for name in ("labelled.jsonl", "traps.jsonl"):
        for line in (DATA_DIR / name).read_text(encoding="utf-8").splitlines():
            if line.strip():
                texts.append(json.loads(line)["text"])
    return texts


def output_lines(
    extract: Callable[..., list[Entity]] = extract_entities,
) -> Iterator[str]:
    """One JSON line per text and mode: what the extractor found, every field."""
    for text in corpus_texts() + generated_texts():
        for include_invalid in (False, True):
            found = [
                [e.type, e.value, e.normalized, e.start, e.end, e.valid, sorted(e.attrs.items())]
                for e in extract(text, include_invalid=include_invalid)
            ]
            yield json.dumps([text, include_invalid, found], ensure_ascii=True)


def digest(extract: Callable[..., list[Entity]] = extract_entities) -> str:
    h = hashlib.sha256()
    for line in output_lines(extract):
        h.update(line.encode("ascii") + b"\n")
    return h.hexdigest()


def test_generated_texts_are_deterministic() -> None:
    assert generated_texts(50) == generated_texts(50)
    assert len(set(generated_texts())) > GENERATED * 0.9


def test_outputs_match_the_pinned_digest() -> None:
    got = digest()
    assert got == PINNED, (
        f"extract_entities' output changed (digest {got}). If that is intended, diff the "
        "outputs before and after (see this module's docstring) and pin the new digest."
    )


if __name__ == "__main__":
    for line in output_lines():
        print(line)
