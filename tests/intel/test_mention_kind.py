"""What a message naming an actor says about them: the rules that sit on top of the
classifier's categories, for the readings the classifier gets wrong."""

from __future__ import annotations

import pytest

from jianghu.intel.reputation import mention_kind

ESCROW = "山河担保 公群"
CHAT = "老乡吹水群"


@pytest.mark.parametrize(
    ("channel", "categories", "text", "kind"),
    [
        # An escrow's deposit notice read as an exposure by the classifier: no complaint.
        (ESCROW, ("escrow_guarantee", "scam_report"), "【公告】@v 已上押 5000U 本群担保交易",
         "deposit_confirmed"),
        (ESCROW, ("escrow_guarantee",), "【公告】@v 已上押 5000U 本群担保交易",
         "deposit_confirmed"),
        # With a word of complaint it stays an exposure (a verdict needs verdict words).
        (ESCROW, ("escrow_guarantee", "scam_report"), "@v 已上押 但是跑路了 大家避雷", "exposure"),
        (ESCROW, ("scam_report",), "@v 骗子 判定赔付 押金已扣", "verdict"),
        # A short vouch read as an exposure is a vouch; a real exposure is an exposure.
        (CHAT, ("scam_report",), "@v 回购 好评", "vouch"),
        (CHAT, ("scam_report",), "曝光 @v 收钱不发货", "exposure"),
        # A seller's own deposit claim outside an escrow group confirms nothing.
        (CHAT, ("data_leak",), "出料 已上押5000U @v", None),
    ],
)  # fmt: skip
def test_mention_kind(channel: str, categories: tuple[str, ...], text: str, kind: str) -> None:
    assert mention_kind(channel, categories, text) == kind
