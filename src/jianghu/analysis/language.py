"""Language of a message: ``zh-Hans``, ``zh-Hant``, ``en``, ``ru`` or ``other``.

Decided by script first, because statistical identifiers get the underground's short mixed
ads wrong (lingua labels "出料 @abc_def" English: most of its letters are Latin):

1. Han characters present (and not outweighed by kana, which makes it Japanese) → Chinese.
   Simplified versus traditional counts the characters that exist in only one of the two
   forms: the keys of OpenCC's ``t2s`` character table (:func:`fold.t2s_table`) are
   traditional-only, its values that are not keys are simplified-only (the inverse,
   ``s2t``). Characters shared by both, and a tie, count as simplified, the norm here.
2. Cyrillic letters outnumber Latin ones → ``ru`` (Ukrainian-only letters → ``other``).
3. Latin text → ``en`` when it reads as English: a small built-in list of English function
   words and trade words (cvv, fullz, escrow …) outweighs the function words and accented
   letters of the other Latin-script languages seen on these channels (Spanish, French,
   German, Portuguese, Italian, Indonesian/Malay, Tagalog, Vietnamese, Turkish).
4. Anything else (Korean, Thai, Arabic, only digits, handles or emoji) → ``other``.

Handles, links and e-mail addresses are removed before counting: they are names, not
language. ``lingua-language-detector`` was considered and not used: its wheel is 96 MB
(models for 75 languages, no way to ship fewer) for a decision the rules above make.
"""

from __future__ import annotations

import functools
import re

from jianghu.analysis.fold import t2s_table

LANGUAGES = ("zh-Hans", "zh-Hant", "en", "ru", "other")

# An e-mail is looked for only from the start of a run of at most 320 non-spaces (an
# address has at most 254 characters): "\S+@" tried from every position of a long text
# without spaces backtracked quadratically (100,000 characters took 47 s). On runs of
# that length the matches are the same as before.
_NAMES = re.compile(
    r"https?://\S+|t\.me/\S+|www\.\S+|(?<!\S)(?=\S{1,320}(?!\S))\S+@\S+\.\w+|@\w+|#\w+",
    re.ASCII,
)
_HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
_KANA = re.compile("[\u3040-\u309f\u30a0-\u30fa\u30fc-\u30ff]")
_CYRILLIC = re.compile("[\u0400-\u04ff]")
_UKRAINIAN = re.compile("[іїєґІЇЄҐ]")
_RUSSIAN = re.compile("[ыэъёЫЭЪЁ]")
_LATIN_WORD = re.compile(r"[a-zà-öø-ÿāăąćčďđēęěğīıłńňőœřśşšţťūůűźżžơưạ-ỹ']+", re.IGNORECASE)
# Matched against lower-cased text: with re.IGNORECASE, Turkish ı would match i.
_FOREIGN_LETTERS = re.compile("[àâãäçèêëíìîïñòóôõöùúûüÿœæßăđơưạ-ỹğışāēīōū]")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# English function words and the trade's own English (a message of "CVV fullz" is English).
_ENGLISH = _words(
    """a about after all also am an and any are as at back be been best but buy by can
    cannot check come contact could day days did do does don't done dm for free fresh from
    get give go good got has have he hello help her here hi his how i if i'm in is it it's
    its just know legit let like looking make me more most much my need new no not now of
    off ok okay on one only or our out over pay please pm price prices quality real
    right scam scammer sell seller selling send service she so some still stock than thank
    thanks that the their them then there they this time to today too up us use valid
    very via want was we well what when where which who why will with without work would
    yes you your available bank banks card cards cvv cvvs fullz dumps dump logs log
    account accounts escrow vendor vouch vouches bulk cashout cashapp paypal crypto
    bitcoin btc usdt wallet method methods tutorial tools tool hacking hacked hack leak
    leaked database databases data combo combos verified verification bypass kyc docs
    id ids passport selfie sim sms otp number numbers shop store wholesale cheap cheapest
    ready instant delivery worldwide country usa uk eu canada balance admin group channel
    list morning night everyone anyone someone problem bro man guys stop read rules
    received updated below above pinned link join welcome sorry sure"""
)
_OTHER_LATIN = _words(
    """el la los las de del que y en un una por para con es no se lo mas pero como esta
    le les des est une et pour avec je vous nous pas qui dans sur ce sont
    der die das und ist nicht ich mit den dem ein eine zu auf für sie wir
    não você com uma para que os as um muito obrigado também
    il che di per non sono gli della questo
    yang dan di ini itu untuk dengan tidak saya ada bisa kami kamu akan sudah jual beli
    murah harga
    ang ng mga sa po ako ikaw namin siya
    và của là không có người một những được cho với này anh em
    ve bir bu için çok değil ile
    vendo vende compro compra cuenta cuentas conta contas precio preço barato barata
    privado chama prezzi prezzo bassi vendre achat compte comptes"""
)


def _encodable(ch: str, codec: str) -> bool:
    try:
        ch.encode(codec)
    except UnicodeEncodeError:
        return False
    return True


@functools.cache
def _script_sets() -> tuple[frozenset[str], frozenset[str]]:
    # Many simplifications merged a traditional character into one that already existed
    # (麵 → 面, 齣 → 出, 瞭 → 了): those survivors are everyday traditional characters too.
    # The national character sets tell them apart: a character outside Big5 is simplified
    # only, one outside GB 2312 is traditional only.
    table = t2s_table()
    keys = {chr(c) for c in table}
    traditional = frozenset(k for k in keys if not _encodable(k, "gb2312"))
    simplified = frozenset(
        v for v in table.values() if v not in keys and not _encodable(v, "cp950")
    )
    return traditional, simplified


_ASTRAL_HAN = re.compile("[\U00020000-\U0003134f]")


@functools.cache
def _script_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    # One character class each for the characters of the basic plane: the regular
    # expression engine counts them in C, where a Python loop over every Han character
    # cost a third of the rest of the analysis. (A class holding characters beyond the
    # basic plane is not compiled to a bitmap and runs 60 times slower: those few are
    # counted by :func:`_astral_counts`.)
    traditional, simplified = _script_sets()

    def char_class(chars: frozenset[str]) -> re.Pattern[str]:
        basic = sorted(c for c in chars if ord(c) <= 0xFFFF and _HAN.fullmatch(c))
        return re.compile("[" + "".join(map(re.escape, basic)) + "]")

    return char_class(traditional), char_class(simplified)


def _astral_counts(text: str) -> tuple[int, int]:
    traditional, simplified = _script_sets()
    found = _ASTRAL_HAN.findall(text)
    return sum(c in traditional for c in found), sum(c in simplified for c in found)


def _chinese(text: str) -> str:
    traditional, simplified = _script_patterns()
    trad, simp = _astral_counts(text)
    trad += len(traditional.findall(text))
    if trad:  # with none, a tie or more simplified: simplified either way
        simp += len(simplified.findall(text))
    return "zh-Hant" if trad > simp else "zh-Hans"


def _latin(text: str) -> str:
    words = [w.lower().strip("'") for w in _LATIN_WORD.findall(text)]
    if not words:
        return "other"
    english = sum(1 for w in words if w in _ENGLISH)
    other = sum(1 for w in words if w in _OTHER_LATIN)
    other += len(_FOREIGN_LETTERS.findall(text.lower()))
    if english > other:
        return "en"
    return "other"


def detect_language(text: str) -> str:
    """One of :data:`LANGUAGES` for ``text`` (see the module docstring)."""
    if _HAN.search(text):
        kana = len(_KANA.findall(text))
        if kana >= 2 and kana * 4 >= len(_HAN.findall(text)):
            return "other"  # Japanese writes Han characters too
        return _chinese(text)
    if _KANA.search(text):
        return "other"
    body = _NAMES.sub(" ", text)
    cyrillic = len(_CYRILLIC.findall(body))
    latin = sum(len(w) for w in _LATIN_WORD.findall(body))
    if cyrillic and cyrillic >= latin:
        if _UKRAINIAN.search(body) and not _RUSSIAN.search(body):
            return "other"
        return "ru"
    if latin:
        return _latin(body)
    return "other"


def evaluate_language() -> dict[str, object]:
    """Accuracy of :func:`detect_language` on the project's labelled set
    (``data/language_eval.jsonl``), overall, per label, and the confusions."""
    import json
    from collections import Counter
    from importlib.resources import files

    path = files("jianghu.analysis") / "data" / "language_eval.jsonl"
    total: Counter[str] = Counter()
    right: Counter[str] = Counter()
    confusions: Counter[tuple[str, str]] = Counter()
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        got = detect_language(row["text"])
        total[row["label"]] += 1
        if got == row["label"]:
            right[row["label"]] += 1
        else:
            confusions[(row["label"], got)] += 1
    n = sum(total.values())
    return {
        "messages": n,
        "accuracy": sum(right.values()) / n if n else 0.0,
        "by_label": {k: {"right": right[k], "total": total[k]} for k in sorted(total)},
        "confusions": [{"expected": a, "got": b, "count": c} for (a, b), c in confusions.items()],
    }
