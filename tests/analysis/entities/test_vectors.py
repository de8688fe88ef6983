"""Published test vectors, asserted one by one."""

from __future__ import annotations

import phonenumbers
import pytest

from jianghu.analysis.entities import extract_entities
from jianghu.analysis.entities.checksums import eip55, luhn_ok, segwit_decode
from jianghu.analysis.entities.crypto import wallet_entity
from jianghu.analysis.entities.scan import Scan

# BIP-173 and BIP-350 segwit address vectors (valid under BIP-350 rules).
BIP350_VALID = [
    "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4",
    "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7",
    "bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kt5nd6y",
    "BC1SW50QGDZ25J",
    "bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs",
    "tb1qqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesrxh6hy",
    "tb1pqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesf3hn0c",
    "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0",
]
BIP350_INVALID = [
    ("tb", "tc1qw508d6qejxtdg4y5r3zarvary0c5xw7kg3g4ty"),
    ("bc", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5"),
    ("bc", "BC13W508D6QEJXTDG4Y5R3ZARVARY0C5XW7KN40WF2"),
    ("bc", "bc1rw5uspcuh"),
    ("bc", "bc10w508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kw5rljs90"),
    ("bc", "BC1QR508D6QEJXTDG4Y5R3ZARVARYV98GJ9P"),
    ("tb", "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sL5k7"),
    ("bc", "bc1zw508d6qejxtdg4y5r3zarvaryvqyzf3du"),
    ("tb", "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3pjxtptv"),
    ("bc", "bc1gmk9yu"),
    ("tb", "tc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq5zuyut"),
    ("bc", "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd"),
    ("tb", "tb1z0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqglt7rf"),
    ("bc", "BC1S0XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ54WELL"),
    ("bc", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh"),
    ("tb", "tb1q0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq24jc47"),
    ("bc", "bc1p38j9r5y49hruaue7wxjce0updqjuyyx0kh56v8s25huc6995vvpql3jow4"),
    ("bc", "BC130XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ7ZWS8R"),
    ("bc", "bc1pw5dgrnzv"),
    ("bc", "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v8n0nx0muaewav253zgeav"),
    ("tb", "tb1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq47Zagq"),
    ("bc", "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v07qwwzcrf"),
    ("tb", "tb1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vpggkg4j"),
    # valid under BIP-173, invalid since BIP-350 (v1+ must use bech32m)
    ("bc", "BC1SW50QA3JX3S"),
    ("bc", "bc1zw508d6qejxtdg4y5r3zarvaryvg6kdaj"),
    ("bc", "bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7k7grplx"),
]


@pytest.mark.parametrize("addr", BIP350_VALID)
def test_bip350_valid(addr: str) -> None:
    assert segwit_decode(addr[:2].lower(), addr) is not None


@pytest.mark.parametrize(("hrp", "addr"), BIP350_INVALID)
def test_bip350_invalid(hrp: str, addr: str) -> None:
    assert segwit_decode(hrp, addr) is None


# EIP-55's examples: all caps, all lower, and mixed-case checksummed.
EIP55 = [
    "0x52908400098527886E0F7030069857D2E4169EE7",
    "0x8617E340B3D01FA5F11F306F4090FD50E238070D",
    "0xde709f2102306220921060314715629080e2fb77",
    "0x27b1fdb04752bbc536007a920d24acb045561c26",
    "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
    "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
    "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
    "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
]


@pytest.mark.parametrize("addr", EIP55)
def test_eip55_examples_valid(addr: str) -> None:
    ent = wallet_entity(Scan(addr), addr, 0)
    assert ent is not None and ent.type == "eth_address" and ent.valid
    assert ent.normalized.lower() == addr.lower()


@pytest.mark.parametrize("addr", EIP55[4:])
def test_eip55_checksum_and_broken_case(addr: str) -> None:
    assert eip55(addr[2:].lower()) == addr
    i = next(i for i, c in enumerate(addr) if i > 1 and c.isalpha())
    broken = addr[:i] + addr[i].swapcase() + addr[i + 1 :]
    ent = wallet_entity(Scan(broken), broken, 0)
    assert ent is not None and not ent.valid


# Base58Check: TRON (version 0x41) and Bitcoin P2PKH/P2SH, with one-character mutations.
BASE58 = [
    ("TNPeeaaFB7K9cmo4uQpcU32zGK8G1NYqeL", "tron_address", True),
    ("TNPeeaaFB7K9cmo4uQpcU32zGK8G1NYqeM", "tron_address", False),
    ("TLa2f6VPqDgRE67v1736s7bJ8Ray5wYjU7", "tron_address", True),
    ("1BoatSLRHtKNngkdXEeobR76b53LETtpyT", "btc_address", True),
    ("1BoatSLRHtKNngkdXEeobR76b53LETtpyU", "btc_address", False),
    ("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", "btc_address", True),
    ("3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", "btc_address", True),
    ("3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLz", "btc_address", False),
]


@pytest.mark.parametrize(("addr", "kind", "valid"), BASE58)
def test_base58check(addr: str, kind: str, valid: bool) -> None:
    ent = wallet_entity(Scan(addr), addr, 0)
    assert ent is not None and ent.type == kind and ent.valid is valid


# GB 11643-1999: the standard's own example and others with valid checksums.
GB11643_VALID = ["11010519491231002X", "360426199101010071"]
# Wikipedia's example of the checksum: right check digit, but region 440524 had no
# county of that code in 1880, so the region check (stdnum's) rejects it.
GB11643_CHECKSUM_ONLY = "440524188001010014"


def test_gb11643_checksum_example() -> None:
    from stdnum.cn import ric

    assert ric.calc_check_digit(GB11643_CHECKSUM_ONLY) == GB11643_CHECKSUM_ONLY[-1]
    assert not extract_entities(GB11643_CHECKSUM_ONLY)


GB11643_INVALID = ["110105194912310021", "440524188001010015", "110105194902300025"]


@pytest.mark.parametrize("number", GB11643_VALID)
def test_gb11643_valid(number: str) -> None:
    (ent,) = extract_entities(f"身份证 {number}")
    assert (ent.type, ent.normalized, ent.valid) == ("cn_id", number, True)


@pytest.mark.parametrize("number", GB11643_INVALID)
def test_gb11643_invalid(number: str) -> None:
    assert not [e for e in extract_entities(f"身份证 {number}") if e.type == "cn_id"]
    assert [e for e in extract_entities(number, include_invalid=True) if e.type == "cn_id"]


# Test PANs the schemes and payment processors publish, one or more per scheme.
LUHN_PANS = [
    ("4111111111111111", "visa"),
    ("4012888888881881", "visa"),
    ("4222222222222", "visa"),
    ("5555555555554444", "mastercard"),
    ("5105105105105100", "mastercard"),
    ("2223003122003222", "mastercard"),
    ("378282246310005", "amex"),
    ("371449635398431", "amex"),
    ("6200000000000005", "unionpay"),
    ("6212345678901232", "unionpay"),
    ("3530111333300000", "jcb"),
    ("3566002020360505", "jcb"),
    ("6011111111111117", "discover"),
    ("6011000990139424", "discover"),
    ("30569309025904", "diners"),
    ("38520000023237", "diners"),
    ("6759649826438453", "maestro"),
    ("2200000000000004", "mir"),
]


@pytest.mark.parametrize(("pan", "scheme"), LUHN_PANS)
def test_luhn_test_pans(pan: str, scheme: str) -> None:
    assert luhn_ok(pan)
    (ent,) = extract_entities(f"卡 {pan} 有效")
    assert (ent.type, ent.normalized, ent.attrs["scheme"], ent.attrs["bin"]) == (
        "card_number",
        pan,
        scheme,
        pan[:6],
    )


def test_luhn_failure_is_not_a_card() -> None:
    assert extract_entities("卡 4111111111111112 有效") == []


def test_masked_pan_is_a_bin() -> None:
    (ent,) = extract_entities("料 6222 02** **** 1234 出")
    assert (ent.type, ent.normalized, ent.attrs["scheme"]) == ("card_bin", "622202", "unionpay")


# phonenumbers' own Chinese example numbers (metadata), each found and put in E.164.
CN_TYPES = [phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE]


def test_phonenumbers_chinese_mobile_example() -> None:
    example = phonenumbers.example_number_for_type("CN", phonenumbers.PhoneNumberType.MOBILE)
    national = str(example.national_number)
    for written in (national, "+86 " + national, f"{national[:3]}-{national[3:7]}-{national[7:]}"):
        (ent,) = extract_entities(f"电话 {written} 联系")
        assert ent.type == "phone" and ent.normalized == "+86" + national


def test_phonenumbers_chinese_fixed_line_example_with_plus() -> None:
    example = phonenumbers.example_number_for_type("CN", phonenumbers.PhoneNumberType.FIXED_LINE)
    e164 = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)
    (ent,) = extract_entities(f"座机 {e164}")
    assert ent.type == "phone" and ent.normalized == e164
