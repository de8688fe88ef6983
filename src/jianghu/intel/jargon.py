"""Jargon discovery over the store, and accepting a discovered term into a user lexicon.

The mining itself is :mod:`jianghu.analysis.jargon` (pure); this module reads the
messages and writes the lexicon file. An accepted term is appended to a TSV in the
built-in format and the file is loaded again at once, so a row the loader would reject
never stays behind: the write is rolled back and the loader's error raised.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from jianghu.analysis.jargon import DEFAULT_PARAMS, Candidate, MinerParams, mine
from jianghu.analysis.lexicon import Lexicon, Sense, load_lexicon
from jianghu.errors import ConfigError
from jianghu.store.base import Store

# The column order of the lexicon files (see jianghu.analysis.lexicon).
HEADER = "term\tvariants\tkind\tcategory\tgloss\tcues\tattack_id\tsource\n"
DEFAULT_SOURCE = "analysts"  # project knowledge: an analyst accepted the term


def message_texts(store: Store) -> Iterator[str]:
    """The text of every message (service events and empty texts left out)."""
    for (text,) in store._all("SELECT text FROM messages WHERE kind = ?", ["message"]):
        if text:
            yield str(text)


def mine_store(
    store: Store, lexicon: Lexicon, limit: int = 50, params: MinerParams = DEFAULT_PARAMS
) -> list[Candidate]:
    """The best unknown jargon candidates among the store's messages."""
    return mine(message_texts(store), lexicon, limit, params)


def accept_term(
    term: str,
    category: str,
    gloss: str,
    kind: str = "offer",
    path: Path = Path("jianghu-lexicon.tsv"),
    source: str = DEFAULT_SOURCE,
) -> Sense:
    """Append ``term`` as a new sense to the lexicon file at ``path`` (created with a
    header if missing) and return the sense as loaded. Raises ConfigError, leaving the
    file as it was, when the row is invalid (unknown category or kind, the same sense
    twice, …)."""
    cells = {"term": term.strip(), "category": category.strip() or "-", "gloss": gloss.strip(),
             "kind": kind.strip(), "source": source.strip()}  # fmt: skip
    for name, value in cells.items():
        if any(ch in value for ch in "\t\r\n"):
            raise ConfigError(f"{name} {value!r}: tabs and line breaks are not allowed")
    row = "\t".join(
        [cells["term"], "-", cells["kind"], cells["category"], cells["gloss"], "-", "-",
         cells["source"]]
    )  # fmt: skip
    before = _read(path)
    prefix = HEADER if before is None else ("" if before.endswith("\n") or not before else "\n")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as handle:
            handle.write(prefix + row + "\n")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot write lexicon file: {exc}") from exc
    try:
        lexicon = load_lexicon([path])
    except ConfigError:
        _restore(path, before)
        raise
    key = (cells["term"], cells["kind"], None if cells["category"] == "-" else cells["category"])
    return next(s for s in lexicon.senses if (s.term, s.kind, s.category) == key)


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read lexicon file: {exc}") from exc


def _restore(path: Path, before: str | None) -> None:
    if before is None:
        path.unlink(missing_ok=True)
    else:
        path.write_text(before, encoding="utf-8")
