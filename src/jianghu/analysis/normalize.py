"""Normalise message text for matching, keeping a map back to the original characters.

Sellers write 薇❤信, ＶＸ：ａｂｃ, 加 扣 扣 一二三四五六 or 飛機@abc to get past keyword
filters. Every later stage (lexicon, entities, classifier) matches the normalised text and
reports spans in the text the analyst sees through :attr:`Normalized.offsets`.

Two steps:

1. **Character folding**, one character at a time so offsets stay exact: NFKC (full-width
   → half-width), Latin case folding, traditional → simplified with the character table of
   :mod:`jianghu.analysis.fold` (the same OpenCC table, not a second one), invisible
   characters removed (zero-width, bidi controls, variation selectors, soft hyphen, tags),
   a few pictographs read as words (✈ → 飞机, 🐧 → 企鹅, ➕ → +) and every other emoji or
   pictographic symbol replaced by a placeholder that step 2 drops.
2. **Evasion rules**, in two regular-expression passes (contact rules, then gaps). Context
   windows ignore separators, so removing a gap never changes a contact decision, and
   rewrites only produce forms the rules leave alone: that is what makes normalising
   idempotent (a Hypothesis property test holds it to that).

   * separators (spaces, ``. - _ * | / \\ ~ · •``, emoji, invisible characters) between
     two Han characters are removed (微 信, 微-信 → 微信), and emoji everywhere. Prose
     punctuation (，。、！ …) is not a separator, so sentences never merge; an ellipsis
     (...) is kept too;
   * contact-platform nicknames become 微信, qq or telegram. Unambiguous forms (vx, 薇信,
     扣扣, v信 …) always do; ambiguous ones (威, 薇, v, q, wx, 企鹅, 飞机, tg, 电报 …) only in
     a contact context: preceded by a contact verb (加 + 私 联系 咨询 添加 扫码 客服 …),
     followed by a handle cue (``: = @``, 号, 群, id, 账号, 频道, t.me, a run of five or more
     digits, an id such as ``abc_123``) or written split (威❤信). So 威胁 and
     坐飞机去北京 stay as they are, while 加威, 飞机@abc and 企鹅：12345 are rewritten; a
     ``+`` or ``➕`` before a nickname becomes 加 (+V → 加微信);
   * numbers written in Chinese numerals (一二三四五六, 幺 for 1, mixed with digits) become
     digits when five or more follow a contact or number cue (qq, 微信, 号, 电话, :, …) or
     when seven or more stand anywhere (a phone or QQ number).

Step 1 is :mod:`jianghu.analysis.normalize_fold`, the contact rules are
:mod:`jianghu.analysis.normalize_contact`; this module removes the gaps and runs the two
to their fixed point. Every message of the analysis passes through here, so the common
cases take shortcuts that give the same result: characters that fold one to one are
replaced a few ``str.replace`` calls at a time; a message where no contact rule matches,
and where removing the gaps cannot make one match, goes through one removal of gaps and
no fixed point; offsets are sliced from one list rather than built number by number. The
implementation before the shortcuts is kept as the specification in
tests/analysis/normalize_reference.py, and the tests hold this one to the same text and
offsets on the demo corpus, on real underground-market text and on generated text.
"""

from __future__ import annotations

import re

import msgspec

from jianghu.analysis.normalize_contact import (
    CONTACT_RULES,
    GAP,
    SEP,
    ZH_DIGITS,
    apply_contact_rules,
    identity,
)
from jianghu.analysis.normalize_fold import PENGUIN, PLACEHOLDER, PLANE, fold_characters


class Normalized(msgspec.Struct, frozen=True):
    """Normalised text and, for each of its characters, the index of the original
    character it came from (non-decreasing, always inside the original)."""

    text: str
    offsets: list[int]

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map the span ``[start, end)`` of :attr:`text` to a span of the original text."""
        if not self.offsets:
            return (0, 0)
        if end <= start:
            pos = self.offsets[start] if start < len(self.offsets) else self.offsets[-1] + 1
            return (pos, pos)
        return (self.offsets[start], self.offsets[end - 1] + 1)


# --- step 2, second half: the gaps ------------------------------------------------------

# Han characters for the gap rule: the Basic Multilingual Plane only (a bitmap for the
# regex engine), plus the pictograph markers, which step 2 turns into Han words.
_HAN_GAP = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff" + PLANE + PENGUIN
# A run of separators between two Han characters (a single dot only: an ellipsis is prose)
# or a run of placeholders. The pattern starts with one plain character class, which the
# regex engine scans for quickly, and the rest is checked from there: the separator just
# matched is a single separator after a Han character (then more up to a Han character),
# or a placeholder (then more placeholders). In one group, so that ``split`` keeps it.
_SEP_NO_DOT = f"[{re.escape(SEP.replace('.', ''))}]"
_ONE_SEP = f"(?:{_SEP_NO_DOT}|\\.(?!\\.))"
_GAPS = re.compile(
    f"({GAP}(?:(?<=[{_HAN_GAP}]{_ONE_SEP}){_ONE_SEP}*(?=[{_HAN_GAP}])"
    f"|(?<={PLACEHOLDER}){PLACEHOLDER}*))"
)


def _remove_gaps(s: str, offsets: list[int] | None) -> tuple[str, list[int]] | None:
    """Drop separators between Han characters, and every placeholder."""
    parts = _GAPS.split(s)  # kept text, gap, kept text, gap, …, kept text
    if len(parts) == 1:
        return None
    # Offsets can run past s (where NFKC composed inside a run, ｶﾞ → ガ): cut them at s.
    source = identity(0, len(s)) if offsets is None else offsets[: len(s)]
    # The offsets of the kept parts, sliced out in one pass: deleting each gap from the
    # list instead moved its whole tail every time, quadratic in a hostile text of
    # 100,000 one-character gaps.
    kept: list[int] = []
    at = 0  # where the current part starts in s
    for i, part in enumerate(parts):
        if not i % 2:
            kept += source[at : at + len(part)]
        at += len(part)
    return "".join(parts[::2]), kept


# Two characters that a contact rule reads as part of one name or number when they stand
# side by side (vx, tg; 1234五, 一2345), here kept apart by placeholders: removing the
# placeholders can make a rule match where none did.
# (Written to start with the placeholder, which the regex engine finds like str.find.)
_JOINABLE = re.compile(
    f"{PLACEHOLDER}(?:(?<=[a-z]{PLACEHOLDER}){PLACEHOLDER}*(?=[a-z])"
    f"|(?<=[0-9{ZH_DIGITS}]{PLACEHOLDER}){PLACEHOLDER}*(?=[0-9])"
    f"|(?<=[0-9]{PLACEHOLDER}){PLACEHOLDER}*(?=[{ZH_DIGITS}]))"
)


def _gaps_cannot_make_a_match(s: str) -> bool:
    """Whether removing the gaps of ``s``, where no contact rule matches, leaves a text
    where none matches either.

    A match after the removal would be a match before it, with the removed characters in
    place. A gap between two Han characters falls where the rules allow separators anyway
    (between the characters of a Han nickname, between two Chinese numerals) or outside
    any match: no rule puts a Han character right next to a Latin letter, a digit or "+".
    A run of placeholders is removed wherever it stands; it matters between two Latin
    letters (a Latin name takes no separator) and between two numerals of which one is a
    digit (separators are allowed between Chinese numerals only).
    """
    return PLACEHOLDER not in s or _JOINABLE.search(s) is None


def normalize(text: str) -> Normalized:
    """Normalise ``text`` (see the module docstring); pure and idempotent."""
    folded, offsets = fold_characters(text)
    first = CONTACT_RULES.search(folded)
    if first is None and _gaps_cannot_make_a_match(folded):
        # Most messages: no contact rule applies before or after the gaps are removed, so
        # the fixed point below is reached after one removal of gaps.
        done = _remove_gaps(folded, offsets)
        if done is not None:
            folded, offsets = done
        return Normalized(folded, identity(0, len(folded)) if offsets is None else offsets)
    # Removing a gap can join a nickname ("V🔥X" → "vx") and a nickname can close a gap
    # ("微 vx" → "微 微信"), so the two steps run until neither changes anything: the
    # result is then a fixed point, which is what makes normalising twice a no-op.
    done = apply_contact_rules(folded, offsets, len(folded) if first is None else first.start())
    if done is not None:
        folded, offsets = done
    steps = (apply_contact_rules, _remove_gaps)
    idle = 1  # after either outcome: the gaps must be looked at
    turn = 1
    while idle < len(steps) and turn < 12:  # a guard; real text settles in 2-4 turns
        done = steps[turn % len(steps)](folded, offsets)
        turn += 1
        if done is None:
            idle += 1
            continue
        idle = 1  # the other step must look at the new text once more
        folded, offsets = done
    return Normalized(folded, identity(0, len(folded)) if offsets is None else offsets)
