"""The declared table of settings: name, default, help. Environment variables
``JIANGHU_<NAME>`` override the defaults and command-line flags override both."""

from __future__ import annotations

import os
from dataclasses import dataclass

from jianghu.errors import ConfigError


@dataclass(frozen=True)
class Setting:
    name: str
    default: str
    help: str

    @property
    def env(self) -> str:
        return "JIANGHU_" + self.name.upper()


SETTINGS: tuple[Setting, ...] = (
    Setting("db", "sqlite:///jianghu.db", "Store URL: sqlite:///path or postgresql://…"),
    Setting("batch_size", "2000", "Messages written per ingest transaction."),
    Setting(
        "scheduler_timeout", "10", "Seconds to wait for a Dask scheduler (--scheduler) to answer."
    ),
    Setting("tg_api_id", "", "Telegram API id for `jianghu collect telegram` (never logged)."),
    Setting("tg_api_hash", "", "Telegram API hash for `jianghu collect telegram` (never logged)."),
    Setting("tg_session", "", "Telethon session name or path for `jianghu collect telegram`."),
    Setting(
        "crawl_contact",
        "",
        "Contact (e-mail or URL) put in the forum crawler's User-Agent so site owners can "
        "reach you.",
    ),
    Setting(
        "lexicon",
        "",
        "Extra lexicon files (TSV, the built-in format), separated by the OS path separator; "
        "they add senses or override built-in ones.",
    ),
)
_BY_NAME = {s.name: s for s in SETTINGS}


def get(name: str, flag: str | None = None) -> str:
    """The value of a setting: the flag if given, else the environment, else the default."""
    setting = _BY_NAME[name]
    if flag is not None:
        return flag
    return os.environ.get(setting.env, setting.default)


def get_int(name: str, flag: int | None = None) -> int:
    raw = get(name, None if flag is None else str(flag))
    try:
        value = int(raw)
        if value < 1:
            raise ValueError
        return value
    except ValueError:
        raise ConfigError(
            f"setting {name} ({_BY_NAME[name].env}) = {raw!r}: expected a whole number above 0"
        ) from None


def resolve_db_url(flag: str | None) -> str:
    return get("db", flag)


def lexicon_paths(flags: list[str] | None) -> list[str]:
    """User lexicon files: the --lexicon flags if any, else JIANGHU_LEXICON."""
    if flags:
        return flags
    return [p for p in get("lexicon").split(os.pathsep) if p]
