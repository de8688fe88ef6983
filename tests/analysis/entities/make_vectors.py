"""Valid, checksummed identifiers for the labelled corpus, and the script that writes it.

The identifiers (cards, IDs, wallets, onions, phones …) are generated here because
nobody can write a valid checksum by hand; the messages around them are hand-written
templates in ``labelled_templates.py`` and ``trap_templates.py``. Expected entities come
from the templates' slots and ``[[type:value]]`` marks, never from the extractor.

Run: ``.venv/bin/python -m tests.analysis.entities.make_vectors`` (seeded: same output).
"""

from __future__ import annotations

import base64
import hashlib
import json
import random
import re
import string
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import phonenumbers
from stdnum.cn import ric

from jianghu.analysis.entities.checksums import (
    B58_ALPHABET,
    b58check_encode,
    eip55,
    keccak256,
    luhn_ok,
    segwit_encode,
)

DATA = Path(__file__).parents[3] / "src" / "jianghu" / "analysis" / "entities" / "data"
R = random.Random(20240611)

_SYLLABLES = [
    "hong",
    "yun",
    "long",
    "feng",
    "hai",
    "tian",
    "jin",
    "bao",
    "xin",
    "an",
    "da",
    "fa",
    "cai",
    "wang",
    "shun",
    "li",
    "ming",
    "hua",
    "kai",
    "yuan",
    "zhi",
    "xing",
    "chen",
    "bai",
    "lei",
    "ying",
    "hu",
    "jia",
    "tong",
    "le",
    "qian",
    "wan",
    "fu",
    "rui",
]
_WORDS = [
    "shop",
    "king",
    "boss",
    "data",
    "card",
    "pay",
    "vip",
    "club",
    "tech",
    "hub",
    "bot",
    "team",
    "net",
    "cloud",
    "safe",
    "fast",
    "black",
    "gold",
    "lucky",
    "dragon",
    "tiger",
    "star",
    "moon",
    "sun",
]


def luhn_complete(prefix: str, length: int) -> str:
    body = prefix + "".join(R.choice(string.digits) for _ in range(length - len(prefix) - 1))
    for d in string.digits:
        if luhn_ok(body + d):
            return body + d
    raise AssertionError


CARD_PREFIXES = {
    "visa": (["4"], [16, 16, 13]),
    "mastercard": (["51", "53", "55", "2221", "2720", "2300"], [16]),
    "amex": (["34", "37"], [15]),
    "unionpay": (["622202", "621700", "622848", "623668"], [16, 19]),
    "jcb": (["3528", "3566", "3589"], [16]),
    "discover": (["6011", "65", "644"], [16]),
    "diners": (["300", "305", "36", "38"], [14]),
    "maestro": (["6759", "5018", "6304"], [16]),
    "mir": (["2200", "2204"], [16]),
}


def card(scheme: str | None = None) -> tuple[str, str]:
    scheme = scheme or R.choice(list(CARD_PREFIXES))
    prefixes, lengths = CARD_PREFIXES[scheme]
    return luhn_complete(R.choice(prefixes), R.choice(lengths)), scheme


def grouped(digits: str, sep: str = " ") -> str:
    if len(digits) == 15:
        return sep.join([digits[:4], digits[4:10], digits[10:]])
    return sep.join(digits[i : i + 4] for i in range(0, len(digits), 4))


REGIONS = (
    "110105",
    "310104",
    "440305",
    "360426",
    "510107",
    "320102",
    "330106",
    "420106",
    "350203",
    "370202",
    "440106",
    "500103",
    "610113",
    "410105",
    "430102",
)


def cn_id() -> str:
    while True:  # the region must have existed in the birth year (stdnum checks it)
        number = _cn_id()
        if ric.is_valid(number):
            return number


def _cn_id() -> str:
    year = R.randint(1960, 2004)
    date = f"{year}{R.randint(1, 12):02d}{R.randint(1, 28):02d}"
    body = f"{R.choice(REGIONS)}{date}{R.randint(0, 999):03d}"
    return body + ric.calc_check_digit(body + "0")


def rand_bytes(n: int) -> bytes:
    return bytes(R.getrandbits(8) for _ in range(n))


def btc() -> str:
    kind = R.choice(["p2pkh", "p2sh", "v0", "v1"])
    if kind == "p2pkh":
        return b58check_encode(b"\x00" + rand_bytes(20))
    if kind == "p2sh":
        return b58check_encode(b"\x05" + rand_bytes(20))
    if kind == "v0":
        return segwit_encode("bc", 0, rand_bytes(R.choice([20, 32])))
    return segwit_encode("bc", 1, rand_bytes(32))


def ltc() -> str:
    kind = R.choice(["L", "M", "seg"])
    if kind == "seg":
        return segwit_encode("ltc", 0, rand_bytes(20))
    return b58check_encode((b"\x30" if kind == "L" else b"\x32") + rand_bytes(20))


def tron() -> str:
    return b58check_encode(b"\x41" + rand_bytes(20))


def eth() -> str:
    addr = eip55(rand_bytes(20).hex())
    return addr if R.random() < 0.8 else addr.lower()


def _xmr_encode(raw: bytes) -> str:
    sizes = {0: 0, 1: 2, 2: 3, 3: 5, 4: 6, 5: 7, 6: 9, 7: 10, 8: 11}
    out = []
    for pos in range(0, len(raw), 8):
        block = raw[pos : pos + 8]
        n = int.from_bytes(block, "big")
        chars = []
        for _ in range(sizes[len(block)]):
            n, r = divmod(n, 58)
            chars.append(B58_ALPHABET[r])
        out.append("".join(reversed(chars)))
    return "".join(out)


def xmr() -> str:
    raw = bytes([R.choice([18, 18, 42])]) + rand_bytes(64)
    return _xmr_encode(raw + keccak256(raw)[:4])


def onion() -> str:
    pub = rand_bytes(32)
    check = hashlib.sha3_256(b".onion checksum" + pub + b"\x03").digest()[:2]
    return base64.b32encode(pub + check + b"\x03").decode().lower() + ".onion"


MOBILE_PREFIXES = (
    "138",
    "139",
    "186",
    "177",
    "150",
    "188",
    "135",
    "199",
    "166",
    "158",
    "131",
    "152",
    "180",
    "173",
    "195",
)


def mobile() -> str:
    while True:
        num = R.choice(MOBILE_PREFIXES) + "".join(R.choice(string.digits) for _ in range(8))
        if phonenumbers.is_valid_number(phonenumbers.parse(num, "CN")):
            return num


def mobile_written(num: str) -> str:
    style = R.randint(0, 5)
    if style == 1:
        return f"{num[:3]} {num[3:7]} {num[7:]}"
    if style == 2:
        return f"{num[:3]}-{num[3:7]}-{num[7:]}"
    if style == 3:
        return "+86 " + num
    if style == 4:
        return "+86" + num
    return num


INTL = {
    "HK": ("+852", 8, "569"),
    "US": ("+1", 10, ""),
    "MY": ("+60", 9, "1"),
    "TH": ("+66", 9, "8"),
    "PH": ("+63", 10, "9"),
    "KH": ("+855", 9, "1"),
    "GB": ("+44", 10, "7"),
    "TW": ("+886", 9, "9"),
}


def intl_phone() -> str:
    while True:
        region = R.choice(list(INTL))
        cc, _, firsts = INTL[region]
        example = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
        national = str(example.national_number)
        keep = R.randint(2, 4)
        num = national[:keep] + "".join(
            R.choice(string.digits) for _ in range(len(national) - keep)
        )
        parsed = phonenumbers.parse(cc + num, None)
        if phonenumbers.is_valid_number(parsed) and (not firsts or num[0] in firsts):
            style = R.randint(0, 2)
            if style == 1:
                return f"{cc} {num}"
            if style == 2 and len(num) >= 8:
                return f"{cc} {num[:4]} {num[4:]}"
            return cc + num


def username() -> str:
    name = R.choice(_SYLLABLES) + R.choice(_SYLLABLES)
    tail = R.choice(["", "_" + R.choice(_WORDS), str(R.randint(1, 9999)), R.choice(_WORDS)])
    name = (name + tail)[:28]
    name = name.rstrip("_")
    if len(name) < 5:
        name += "888"
    if R.random() < 0.3:
        name = name[0].upper() + name[1:]
    return name


def invite() -> str:
    return "".join(
        R.choice(string.ascii_letters + string.digits + "_-") for _ in range(R.choice([16, 22]))
    )


def wechat_id() -> str:
    base = R.choice(_SYLLABLES) + R.choice(_SYLLABLES)
    return (base + R.choice(["", "_", "-"]) + str(R.randint(10, 99999)))[:20]


def domain() -> str:
    name = R.choice(_SYLLABLES) + R.choice(_WORDS) + R.choice(["", str(R.randint(1, 999))])
    return (
        name
        + "."
        + R.choice(
            ["com", "net", "cc", "top", "xyz", "vip", "io", "shop", "cn", "com.cn", "org", "me"]
        )
    )


def ipv4() -> str:
    while True:
        parts = [R.randint(1, 223), R.randint(0, 255), R.randint(0, 255), R.randint(1, 254)]
        if parts[0] not in (10, 127, 172, 192, 169, 100):
            return ".".join(map(str, parts))


def ipv6() -> str:
    groups = [R.choice(["2001", "2400", "2a01", "240e", "2604"])] + [
        f"{R.getrandbits(16):x}" for _ in range(7)
    ]
    if R.random() < 0.5:
        return ":".join(groups[:3]) + "::" + groups[7]
    return ":".join(groups)


def hexdigest(n: int) -> str:
    return {32: hashlib.md5, 40: hashlib.sha1, 64: hashlib.sha256}[n](rand_bytes(16)).hexdigest()


def fullwidth(s: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in s)


def _slot(kind: str, make: Callable[[], str]) -> Callable[[], tuple[str, list[tuple[str, str]]]]:
    def fill() -> tuple[str, list[tuple[str, str]]]:
        value = make()
        return value, [(kind, value)]

    return fill


def _onion_written() -> str:
    host = onion()
    return R.choice([host, f"http://{host}", f"http://{host}/"])


def _onion_slot() -> tuple[str, list[tuple[str, str]]]:
    written = _onion_written()
    host = re.search(r"[a-z2-7]{56}\.onion", written)
    assert host is not None
    return written, [("onion", host.group())]


def _card_written() -> str:
    digits, _ = card()
    return R.choice([digits, grouped(digits), grouped(digits, "-"), grouped(digits)])


def _card_masked() -> str:
    digits, _ = card(R.choice(["visa", "mastercard", "unionpay", "jcb"]))
    while len(digits) != 16:
        digits, _ = card(R.choice(["visa", "mastercard", "unionpay", "jcb"]))
    hidden = len(digits) - 10
    mask = R.choice("*xX")
    if R.random() < 0.5:
        return digits[:6] + mask * hidden + digits[-4:]
    flat = digits[:6] + mask * hidden + digits[-4:]
    return " ".join(flat[i : i + 4] for i in range(0, len(flat), 4))


def _url() -> str:
    path = R.choice(
        [
            "",
            "/",
            "/login",
            "/admin/index.php",
            "/api/v1/pay?id=" + str(R.randint(1, 999)),
            "/s/" + invite()[:8],
        ]
    )
    return R.choice(["https://", "http://"]) + R.choice(["", "www."]) + domain() + path


def _defanged_url() -> str:
    name, _, tld = domain().partition(".")
    dot = R.choice(["[.]", "(.)", "[.]"])
    scheme = R.choice(["hxxps://", "hxxp://", "https[:]//", "hxxps[://]"])
    return scheme + name + dot + tld.replace(".", dot) + R.choice(["", "/login", "/panel"])


def _defanged_domain() -> str:
    name, _, tld = domain().partition(".")
    dot = R.choice(["[.]", "(.)", "[dot]"])
    return name + dot + tld.replace(".", dot)


def _qq() -> str:
    return str(R.randint(10000, 3999999999))


def _qq_split() -> str:
    return " ".join(_qq()[: R.randint(6, 10)])


_CN = "零一二三四五六七八九"


def _qq_cn() -> str:
    return "".join(_CN[int(d)] for d in _qq())


SLOTS: dict[str, Callable[[], tuple[str, list[tuple[str, str]]]]] = {
    "tg": _slot("telegram_handle", lambda: "@" + username()),
    "tglink": _slot(
        "telegram_handle",
        lambda: (
            R.choice(["t.me/", "https://t.me/", "http://t.me/", "T.me/", "https://telegram.me/"])
            + username()
        ),
    ),
    "tgbare": _slot("telegram_handle", username),
    "tgresolve": _slot("telegram_handle", lambda: "tg://resolve?domain=" + username()),
    "invite": _slot(
        "telegram_invite",
        lambda: (
            R.choice(["https://t.me/+", "t.me/+", "https://t.me/joinchat/", "t.me/joinchat/"])
            + invite()
        ),
    ),
    "qq": _slot("qq", _qq),
    "qqsplit": _slot("qq", _qq_split),
    "qqcn": _slot("qq", _qq_cn),
    "qqfw": _slot("qq", lambda: fullwidth(_qq())),
    "wx": _slot("wechat", wechat_id),
    "email": _slot(
        "email",
        lambda: (
            username().lower()
            + R.choice(
                [
                    "@qq.com",
                    "@163.com",
                    "@gmail.com",
                    "@proton.me",
                    "@outlook.com",
                    "@protonmail.com",
                    "@yandex.ru",
                ]
            )
        ),
    ),
    "phone": _slot("phone", lambda: mobile_written(mobile())),
    "phonefw": _slot("phone", lambda: fullwidth(mobile())),
    "intl": _slot("phone", intl_phone),
    "wa": _slot("contact", intl_phone),
    "acct": _slot("contact", username),
    "batid": _slot("contact", lambda: str(R.randint(100000, 99999999))),
    "session": _slot("contact", lambda: "05" + rand_bytes(32).hex()),
    "alipay": _slot("contact", lambda: R.choice([mobile(), username().lower() + "@163.com"])),
    "card": _slot("card_number", _card_written),
    "cardmask": _slot("card_bin", _card_masked),
    "cnid": _slot("cn_id", cn_id),
    "btc": _slot("btc_address", btc),
    "eth": _slot("eth_address", eth),
    "tron": _slot("tron_address", tron),
    "xmr": _slot("xmr_address", xmr),
    "ltc": _slot("ltc_address", ltc),
    "url": _slot("url", _url),
    "defurl": _slot("url", _defanged_url),
    "domain": _slot("domain", domain),
    "defdomain": _slot("domain", _defanged_domain),
    "onion": _onion_slot,
    "ip": _slot("ipv4", ipv4),
    "ip6": _slot("ipv6", ipv6),
    "cve": _slot("cve", lambda: f"CVE-{R.randint(2015, 2024)}-{R.randint(1000, 49999)}"),
    "md5": _slot("md5", lambda: hexdigest(32)),
    "sha1": _slot("sha1", lambda: hexdigest(40)),
    "sha256": _slot("sha256", lambda: hexdigest(64)),
    "e": lambda: (R.choice(["🔥", "💰", "✅", "⭐", "🚀", "‼️", ""]), []),
}
_PART = re.compile(r"\{(\w+)\}|\[\[(\w+):([^\]]+)\]\]")
_USDT_IN = re.compile(r"usdt", re.IGNORECASE)


def render(template: str) -> tuple[str, list[dict[str, str]]]:
    """One message from a template, with its expected entities."""
    out: list[str] = []
    labels: list[dict[str, str]] = []
    pos = 0
    for m in _PART.finditer(template):
        out.append(template[pos : m.start()])
        if m.group(1):
            text, found = SLOTS[m.group(1)]()
        else:
            text, found = m.group(3), [(m.group(2), m.group(3))]
            # Every written USDT is a usdt mention, also inside a price (see DATASHEET).
            if m.group(2) == "price" and (u := _USDT_IN.search(text)):
                found.append(("usdt", u.group()))
        out.append(text)
        labels += [{"type": t, "value": v} for t, v in found]
        pos = m.end()
    out.append(template[pos:])
    return "".join(out), labels


def build_labelled(rounds: int = 4) -> list[dict[str, object]]:
    from tests.analysis.entities.labelled_templates import TEMPLATES

    rows: list[dict[str, object]] = []
    for r in range(rounds):
        for i, template in enumerate(TEMPLATES):
            text, labels = render(template)
            rows.append({"id": f"L{r}-{i:03d}", "text": text, "entities": labels})
    return rows


def main() -> None:
    rows = build_labelled()
    counts = Counter(str(e["type"]) for row in rows for e in row["entities"])  # type: ignore[attr-defined]
    with (DATA / "labelled.jsonl").open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(len(rows), "labelled messages", dict(sorted(counts.items())))
    from tests.analysis.entities.trap_templates import build_traps

    traps = build_traps(R)
    with (DATA / "traps.jsonl").open("w", encoding="utf-8") as fh:
        for trap in traps:
            fh.write(json.dumps(trap, ensure_ascii=False) + "\n")
    print(len(traps), "traps", dict(Counter(t["imitates"] for t in traps)))


if __name__ == "__main__":
    main()
