"""Cue sounds at the gate: a short tone, then a spoken prompt in the screen's language.

:class:`SoundPlayer` plays the WAV files of ``assets/sounds/`` (made by ``scripts/make-sounds``)
with QtMultimedia's ``QSoundEffect``, honouring ``[sound]`` of ``kiosk.toml`` (mute, volume,
spoken prompts). A machine without an audio output, or a file that cannot be played, is never
an error: the player says so once in the log and stays silent.
"""

from __future__ import annotations

import logging
import sys
from enum import StrEnum
from pathlib import Path

from PySide6.QtCore import QObject, QUrl
from PySide6.QtMultimedia import QMediaDevices, QSoundEffect

from kiosk.config import SoundSettings

log = logging.getLogger(__name__)

REPO_SOUNDS = Path(__file__).resolve().parents[2] / "assets" / "sounds"
INSTALLED_SOUNDS = Path(sys.prefix) / "share" / "campus-kiosk" / "sounds"


class Cue(StrEnum):
    """What the gate wants to tell the person in front of it."""

    ADMIT = "admit"
    REJECT = "reject"
    FEVER = "fever"
    SHOW_CODE = "show-code"


def sounds_dir() -> Path:
    """Where the cue WAV files are: the repository's ``assets/sounds``, else the installed copy."""
    return REPO_SOUNDS if REPO_SOUNDS.is_dir() else INSTALLED_SOUNDS


def cue_file(cue: Cue, locale: str | None, directory: Path | None = None) -> Path:
    """The WAV of ``cue``: tone and prompt in ``locale`` (``zh_CN`` or ``en``), or the bare tone
    when ``locale`` is None."""
    if locale is None:
        suffix = "tone"
    else:
        suffix = "en" if locale.startswith("en") else "zh_CN"
    return (directory or sounds_dir()) / f"{cue.value}.{suffix}.wav"


def has_audio_output() -> bool:
    """True when Qt sees at least one audio output device."""
    try:
        return bool(QMediaDevices.audioOutputs())
    except RuntimeError:  # no multimedia backend at all
        return False


class SoundPlayer(QObject):
    """Plays cues; silent (never raising) when muted, without audio output or without files.

    Create it on the UI thread after the ``QApplication``. :attr:`last_cue` names the last cue
    asked for, and :attr:`available` whether anything can actually be heard.
    """

    def __init__(
        self,
        settings: SoundSettings,
        locale: str = "zh_CN",
        *,
        directory: Path | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.muted = settings.muted
        self.volume = settings.volume
        self.spoken = settings.spoken
        self.locale = locale
        self.directory = directory or sounds_dir()
        self.last_cue: Cue | None = None
        self.available = has_audio_output()
        if not self.available:
            log.info("no audio output device: cue sounds are off")
        self._effects: dict[Path, QSoundEffect] = {}
        self._reported: set[Path] = set()

    def set_locale(self, locale: str) -> None:
        """Speak prompts in ``locale`` from now on (``zh_CN`` or ``en``)."""
        self.locale = locale

    def set_muted(self, muted: bool) -> None:
        """Mute or unmute; a playing cue stops when muted."""
        self.muted = muted
        if muted:
            for effect in self._effects.values():
                effect.stop()

    def set_volume(self, volume: float) -> None:
        """Set the loudness, 0.0 to 1.0 (clamped)."""
        self.volume = min(1.0, max(0.0, volume))
        for effect in self._effects.values():
            effect.setVolume(self.volume)

    def play(self, cue: Cue) -> bool:
        """Play ``cue``; True when a sound was started, False when silent for any reason."""
        self.last_cue = cue
        if self.muted or not self.available or self.volume <= 0:
            return False
        path = cue_file(cue, self.locale if self.spoken else None, self.directory)
        if not path.is_file():
            self._report(path, "sound file missing (run scripts/make-sounds)")
            return False
        effect = self._effect(path)
        if effect.status() == QSoundEffect.Status.Error:
            self._report(path, "sound could not be loaded")
            return False
        for other in self._effects.values():
            if other is not effect:
                other.stop()
        effect.play()
        return True

    def _effect(self, path: Path) -> QSoundEffect:
        effect = self._effects.get(path)
        if effect is None:
            effect = QSoundEffect(self)
            effect.setSource(QUrl.fromLocalFile(str(path)))
            effect.setVolume(self.volume)
            self._effects[path] = effect
        return effect

    def _report(self, path: Path, problem: str) -> None:
        if path not in self._reported:
            self._reported.add(path)
            log.warning("%s: %s", path, problem)
