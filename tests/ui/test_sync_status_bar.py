"""The status bar's sync part: the least current registry dataset and its age, in both
languages, from the sync status only (never invented numbers)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from kiosk.core.datasets import DATASETS
from kiosk.store.dataset_times import DatasetSync
from kiosk.sync.status import NOT_CONFIGURED, SyncStatus
from kiosk.ui.i18n import Languages
from kiosk.ui.status import GateStatusBar

NOW = dt.datetime(2022, 1, 20, 6, 0, tzinfo=dt.UTC)
H = dt.timedelta(hours=1)


def _status(**sources: dt.datetime) -> SyncStatus:
    synced = NOW - dt.timedelta(minutes=3)
    return SyncStatus(
        configured=True,
        backlog=2,
        registry_synced_at=synced,
        datasets=tuple(DatasetSync(name, synced, sources.get(name)) for name in DATASETS),
    )


def test_the_bar_names_the_oldest_dataset(qapp: Any) -> None:
    langs = Languages("en_US")
    try:
        bar = GateStatusBar("north", ZoneInfo("Asia/Shanghai"))
        stale_checkins = _status(checkins=NOW - 26 * H, people=NOW - 2 * H)
        assert bar.sync_text(NOW, stale_checkins) == "Sync: check-ins 26.0 h old · backlog 2"
        # Synced three minutes ago, nothing older at the source: the first dataset, 3 min.
        assert bar.sync_text(NOW, _status()) == "Sync: people 3 min old · backlog 2"
        tip = bar.datasets_text(NOW, stale_checkins).splitlines()
        assert tip[0] == "people 2.0 h old" and "check-ins 26.0 h old" in tip
        assert len(tip) == len(DATASETS)
        assert bar.sync_text(NOW, NOT_CONFIGURED) == "Sync: not configured"
        never = SyncStatus(configured=True, datasets=(DatasetSync("people", None),))
        assert bar.sync_text(NOW, never) == "Sync: people never synced · backlog unknown"
        old_file = SyncStatus(configured=True, backlog=0, registry_synced_at=NOW - 3 * H)
        assert bar.sync_text(NOW, old_file) == "Sync: registry 3.0 h old · backlog 0"

        assert langs.switch("zh_CN")
        assert bar.sync_text(NOW, stale_checkins) == "同步：每日健康打卡已过 26.0 h · 待上传 2 条"
    finally:
        langs.switch("en")
