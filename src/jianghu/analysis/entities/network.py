"""Network indicators: URLs, domains (public-suffix aware, offline), onion v3 addresses,
IPv4/IPv6, CVE ids, and file hashes (MD5/SHA-1/SHA-256).

Defanged forms (hxxp://, example[.]com, example(.)com, [dot]) are found as written and
restored in ``normalized``. The public suffix list is tldextract's bundled snapshot: the
extractor is built with no suffix-list URLs and no cache, so it never touches the network.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import ipaddress
import re

import tldextract

from jianghu.analysis.entities.model import Entity
from jianghu.analysis.entities.scan import Scan, first_not_after

_DOT = r"(?:\.|\[\.\]|\(\.\)|\{\.\}|\[dot\]|\(dot\))"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?"
_TLD = r"(?:[A-Za-z]{2,24}|xn--[a-z0-9\-]{2,59})"
_HOST = rf"(?:{_LABEL}{_DOT})+{_TLD}"
# The scheme's first character comes first, alone, for the regex engine's skip-ahead (see
# scan.first_not_after); the rest of the scheme follows by that character.
_URL = re.compile(
    r"[hHfF](?:(?<=[hH])(?i:[tx]{2}ps?)|(?<=[fF])(?i:tp))"
    rf"(?:://|\[://\]|\[:\]//|\[:/\]/)(?P<host>{_HOST}|[0-9.\[\]]{{7,23}})"
    r"(?::[0-9]{1,5})?(?:[/?#][^\s<>\"'，。、；！？（）【】「」\u4e00-\u9fff]*)?"
)
# ``(?<![A-Za-z0-9.@/\-_]){_HOST}`` with the host's first character taken out in front, so
# that the regex engine can skip ahead to it (see scan.first_not_after).
_DOMAIN = re.compile(
    first_not_after("[A-Za-z0-9]", r"[A-Za-z0-9.@/\-_]")
    + rf"(?:[A-Za-z0-9\-]{{0,61}}[A-Za-z0-9])?{_DOT}(?:{_LABEL}{_DOT})*{_TLD}"
    + r"(?![A-Za-z0-9\-_@]|\.[A-Za-z0-9])"
)
_ONION = re.compile(r"(?<![A-Za-z0-9])(?i:[a-z2-7]{56}|[a-z2-7]{16})\.onion(?![A-Za-z0-9])")
_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_IPV4 = re.compile(rf"(?<![0-9.])(?:{_OCTET}{_DOT}){{3}}{_OCTET}(?![0-9]|\.[0-9])")
_IPV6 = re.compile(r"(?<![0-9A-Za-z:])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![0-9A-Za-z:])")
# Cheap gates, searched before the patterns above (which try every position of the text):
# every IPv4 address holds "digit dot digits dot digit", every IPv6 one ":hex:" or "::".
_IPV4_HINT = re.compile(rf"[0-9]{_DOT}[0-9]{{1,3}}{_DOT}[0-9]")
_IPV6_HINT = re.compile(r":[0-9A-Fa-f]{0,4}:")
_CVE = re.compile(r"(?<![A-Za-z0-9])(?i:cve)-(?:19|20)[0-9]{2}-[0-9]{4,7}(?![0-9])")
_REFANG = re.compile(r"\[\.\]|\(\.\)|\{\.\}|\[dot\]|\(dot\)|\[:\]|\[://\]|\[:/\]")
_REFANG_TO = {"[:]": ":", "[://]": "://", "[:/]": ":/"}
_NOT_IP_CUE = re.compile(r"(?:v|ver|version|版本|版本号|build|固件)\s*[:：]?\s*$")
_NOT_HASH_CUE = re.compile(
    r"(?:commit|git(?:\s+[a-z\-]+)?|txid|tx|交易id|交易哈希|区块)\s*(?:hash)?[:：#]?\s*$"
)
# Suffixes that are also everyday file extensions: "setup.py", "README.md", "a.zip".
_FILE_EXTS = frozenset({"py", "sh", "md", "rs", "pl", "zip", "mov", "so", "ps", "rar"})
_TITLES = frozenset({"mr", "mrs", "ms", "dr", "st", "no", "prof", "mt", "jr", "sr"})
_HASH_TYPES = {32: "md5", 40: "sha1", 64: "sha256"}
_HEX = frozenset("0123456789abcdefABCDEF")


@functools.cache
def _tld() -> tldextract.TLDExtract:
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def refang(s: str) -> str:
    if "[" in s or "(" in s or "{" in s:  # every defanged form opens with one of them
        s = _REFANG.sub(lambda m: _REFANG_TO.get(m.group(), "."), s)
    low = s.lower()
    if low.startswith("hxxp"):
        s = "http" + s[4:]
    return s


# Hosts repeat from message to message (t.me, the same shop), and a lookup costs microseconds.
@functools.lru_cache(maxsize=8192)
def registered_domain(host: str) -> str | None:
    """``example.co.uk`` for ``a.b.example.co.uk``; None without a known public suffix."""
    ext = _tld()(host)
    if not ext.suffix or not ext.domain:
        return None
    return f"{ext.domain}.{ext.suffix}"


def find_urls(scan: Scan) -> list[Entity]:
    out: list[Entity] = []
    for m in _URL.finditer(scan.norm):
        raw = m.group().rstrip(".,;:!?)]}'\"")
        start, end = m.start(), m.start() + len(raw)
        normalized = refang(raw)
        host = refang(m.group("host")).lower()
        if host.endswith(".onion"):
            continue  # the onion finder reports it
        reg = registered_domain(host)
        valid = reg is not None or _is_ip(host)
        attrs = {"host": host, "domain": reg or ""}
        out.append(Entity("url", scan.text[start:end], normalized, start, end, valid, attrs))
    return out


def find_domains(scan: Scan) -> list[Entity]:
    out: list[Entity] = []
    for m in _DOMAIN.finditer(scan.norm):
        host = refang(m.group()).lower()
        first, _, rest = host.partition(".")
        # "setup.py" is a file; "Mr.Wang" is a man, though .py and .wang are suffixes.
        if rest.rsplit(".", 1)[-1] in _FILE_EXTS or first in _TITLES or host.endswith(".onion"):
            continue
        reg = registered_domain(host)
        if reg is None:
            continue
        start, end = m.span()
        attrs = {"registered_domain": reg}
        out.append(Entity("domain", scan.text[start:end], host, start, end, True, attrs))
    return out


def onion_ok(name: str) -> bool:
    """Tor v3: base32(pubkey[32] | checksum[2] | version[1]=3), rend-spec-v3."""
    if len(name) != 56:
        return False
    raw = base64.b32decode(name.upper())
    pubkey, checksum, version = raw[:32], raw[32:34], raw[34:]
    digest = hashlib.sha3_256(b".onion checksum" + pubkey + version).digest()
    return version == b"\x03" and digest[:2] == checksum


def find_onions(scan: Scan) -> list[Entity]:
    out: list[Entity] = []
    for m in _ONION.finditer(scan.norm):
        start, end = m.span()
        name = m.group()[:-6].lower()
        valid = onion_ok(name)
        attrs = {"version": "3" if len(name) == 56 else "2"}
        out.append(Entity("onion", scan.text[start:end], name + ".onion", start, end, valid, attrs))
    return out


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def find_ips(scan: Scan) -> list[Entity]:
    out: list[Entity] = []
    norm = scan.norm
    ipv4 = ("." in norm or "[" in norm) and _IPV4_HINT.search(norm) is not None
    for m in _IPV4.finditer(norm) if ipv4 else ():
        start, end = m.span()
        if _NOT_IP_CUE.search(scan.before(start, 10)):
            continue
        ip = ipaddress.IPv4Address(refang(m.group()))
        attrs = {"private": str(ip.is_private).lower()}
        out.append(Entity("ipv4", scan.text[start:end], str(ip), start, end, True, attrs))
    if _IPV6_HINT.search(norm):
        for m in _IPV6.finditer(norm):
            groups = [g for g in m.group().split(":") if g]
            text = m.group()
            if len(groups) < 2 or (not any(c.isalpha() for c in text) and "::" not in text):
                continue
            try:
                ip6 = ipaddress.IPv6Address(m.group())
            except ValueError:
                continue
            start, end = m.span()
            out.append(Entity("ipv6", scan.text[start:end], ip6.compressed, start, end, True))
    return out


def find_cves(scan: Scan) -> list[Entity]:
    return [
        Entity("cve", scan.text[m.start() : m.end()], m.group().upper(), m.start(), m.end())
        for m in _CVE.finditer(scan.norm)
    ]


def hash_entity(scan: Scan, token: str, start: int) -> Entity | None:
    """A hex token of 32, 40 or 64 digits as md5/sha1/sha256 (not a commit or a txid)."""
    kind = _HASH_TYPES.get(len(token))
    if kind is None or not _HEX.issuperset(token):
        return None
    # Real digests mix digits and letters and are written in one case.
    if token.isdigit() or token.isalpha() or (token.lower() != token and token.upper() != token):
        return None
    if _NOT_HASH_CUE.search(scan.before(start, 14)):
        return None
    end = start + len(token)
    return Entity(kind, scan.text[start:end], token.lower(), start, end, True)
