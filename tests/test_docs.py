"""Docs that cannot drift: the committed CLI reference is what the CLI says of itself."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_cli_reference_is_current(tmp_path: Path) -> None:
    fresh = tmp_path / "CLI.md"
    subprocess.run(
        [sys.executable, "-m", "typer", "jianghu.cli", "utils", "docs", "--name", "jianghu",
         "--output", str(fresh)],
        check=True, capture_output=True,
    )  # fmt: skip
    committed = (ROOT / "docs" / "CLI.md").read_text(encoding="utf-8")
    assert fresh.read_text(encoding="utf-8") == committed, "run `make docs` and commit"
