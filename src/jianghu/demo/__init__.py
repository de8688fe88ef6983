"""A deterministic demo corpus: a Telegram Desktop export of Chinese-language underground
chats, written by the project (no real data), for demos, tests and benchmarks."""

from __future__ import annotations

from .generator import DemoSummary, write_demo_export

__all__ = ["DemoSummary", "write_demo_export"]
