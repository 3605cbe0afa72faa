"""Languages: the committed catalogue is complete and compiled, CJK text has a font."""

from __future__ import annotations

import filecmp
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication

from kiosk.core.reasons import Reason, message
from kiosk.ui.i18n import TRANSLATIONS, Languages, cjk_font_family, qm_file

TS = TRANSLATIONS / "kiosk_zh_CN.ts"
LRELEASE = Path(sys.executable).parent / "pyside6-lrelease"


def test_every_message_is_translated() -> None:
    unfinished = []
    for m in ET.parse(TS).getroot().iter("message"):
        translation = m.find("translation")
        if translation is None or translation.get("type") in ("unfinished", "vanished"):
            unfinished.append(m.findtext("source"))
    assert unfinished == []


@pytest.mark.skipif(not LRELEASE.exists(), reason="pyside6-lrelease not installed")
def test_committed_qm_is_compiled_from_the_ts(tmp_path: Path) -> None:
    copy = tmp_path / TS.name
    shutil.copyfile(TS, copy)
    subprocess.run([str(LRELEASE), "-silent", str(copy)], check=True)
    assert filecmp.cmp(copy.with_suffix(".qm"), qm_file("zh_CN"), shallow=False)


def test_switching_changes_the_words_and_the_reasons(qapp: Any) -> None:
    langs = Languages("zh_CN")
    seen: list[str] = []
    langs.changed.connect(seen.append)
    try:
        assert QCoreApplication.translate("AdminLog", "Time") == "时间"
        assert langs.reason(Reason.FEVER) == message(Reason.FEVER, "zh_CN")
        assert langs.switch("en_US")
        assert langs.locale == "en"
        assert QCoreApplication.translate("AdminLog", "Time") == "Time"
        assert langs.reason("FEVER") == message(Reason.FEVER, "en")
        both = langs.reasons(["FEVER", "NAT_EXPIRED"])
        assert both == message("FEVER", "en") + "; " + message("NAT_EXPIRED", "en")
        assert seen == ["en"]
    finally:
        langs.switch("en")


def test_a_cjk_font_is_installed_and_found(qapp: Any) -> None:
    assert cjk_font_family() is not None, "set-up installs fonts-noto-cjk"
