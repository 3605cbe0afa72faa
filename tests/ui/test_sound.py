"""Cue sounds: every cue has its WAV files, and a machine without audio is never an error."""

from __future__ import annotations

import logging
import wave
from pathlib import Path
from typing import Any

import pytest

from kiosk.config import SoundSettings
from kiosk.ui import sound
from kiosk.ui.sound import Cue, SoundPlayer, cue_file


@pytest.mark.parametrize("cue", list(Cue))
@pytest.mark.parametrize("locale", ["zh_CN", "en", None])
def test_every_cue_has_a_short_wav(cue: Cue, locale: str | None) -> None:
    path = cue_file(cue, locale)
    with wave.open(str(path)) as w:
        assert (w.getnchannels(), w.getsampwidth()) == (1, 2)
        seconds = w.getnframes() / w.getframerate()
    assert 0.05 < seconds < (1.0 if locale is None else 6.0)
    if locale is not None:  # the prompt follows the tone
        with wave.open(str(cue_file(cue, None))) as tone:
            assert w.getnframes() > tone.getnframes() * 2


def test_no_audio_device_is_silent_not_an_error(
    qapp: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(sound, "has_audio_output", lambda: False)
    with caplog.at_level(logging.INFO, logger="kiosk.ui.sound"):
        player = SoundPlayer(SoundSettings())
    assert not player.available
    assert "no audio output" in caplog.text
    for cue in Cue:
        assert player.play(cue) is False
        assert player.last_cue is cue


def test_this_machine_plays_or_stays_silent_without_raising(qapp: Any) -> None:
    player = SoundPlayer(SoundSettings(volume=0.1))
    started = player.play(Cue.ADMIT)
    assert started == player.available  # offscreen in a container: usually no device
    player.set_muted(True)
    assert player.play(Cue.REJECT) is False


def test_mute_volume_and_missing_files(
    qapp: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(sound, "has_audio_output", lambda: True)
    muted = SoundPlayer(SoundSettings(muted=True))
    assert muted.play(Cue.FEVER) is False
    silent = SoundPlayer(SoundSettings(volume=0.0))
    assert silent.play(Cue.FEVER) is False
    empty = SoundPlayer(SoundSettings(), directory=tmp_path)
    with caplog.at_level(logging.WARNING, logger="kiosk.ui.sound"):
        assert empty.play(Cue.SHOW_CODE) is False
        assert empty.play(Cue.SHOW_CODE) is False
    assert caplog.text.count("sound file missing") == 1  # said once, not per cue
    player = SoundPlayer(SoundSettings())
    player.set_volume(7)
    assert player.volume == 1.0
    player.set_locale("en")
    assert player.locale == "en"
