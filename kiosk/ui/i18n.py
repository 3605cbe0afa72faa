"""Languages of the kiosk's windows: Chinese (default) and English, switchable at run time.

The UI's own words are written in English in the code (``self.tr("…")``) and translated by
Qt's translation system from ``kiosk/ui/translations/kiosk_<locale>.qm`` (built from the
committed ``.ts`` sources by ``scripts/translations``). Reason texts are not in the ``.ts``
files: they come from the catalogue the CLI uses, :func:`kiosk.core.reasons.message`.

Switching installs (or removes) the translator; Qt then sends every widget a
``LanguageChange`` event, on which a widget sets its texts again, and :attr:`Languages.changed`
tells everything else (the sound player, models with reason texts).
"""

from __future__ import annotations

import logging
from pathlib import Path

import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, QLocale, QObject, QTranslator, Signal
from PySide6.QtGui import QFont, QFontDatabase, QGuiApplication

from kiosk.core.reasons import Reason, message

log = logging.getLogger(__name__)

TRANSLATIONS = Path(__file__).resolve().parent / "translations"
LOCALES = ("zh_CN", "en")
DEFAULT_LOCALE = "zh_CN"
CJK_FAMILIES = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Micro Hei")


def normalise(locale: str) -> str:
    """``en``, ``en_US``… → ``en``; anything else → ``zh_CN`` (the default)."""
    return "en" if locale.lower().startswith("en") else DEFAULT_LOCALE


def qm_file(locale: str) -> Path:
    """The compiled catalogue of ``locale``."""
    return TRANSLATIONS / f"kiosk_{normalise(locale)}.qm"


def cjk_font_family() -> str | None:
    """The first installed font family that has simplified Chinese glyphs, or None."""
    installed = set(QFontDatabase.families())
    for family in CJK_FAMILIES:
        if family in installed:
            return family
    for family in sorted(installed):
        if QFontDatabase.WritingSystem.SimplifiedChinese in QFontDatabase.writingSystems(family):
            return family
    return None


def use_cjk_font(app: QGuiApplication) -> str | None:
    """Make a CJK-capable family the application's font (size kept); returns it, or None
    (logged) when the machine has none, so Chinese would show as boxes."""
    family = cjk_font_family()
    if family is None:
        log.warning("no font with Chinese glyphs (Debian: apt-get install fonts-noto-cjk)")
        return None
    font = QFont(app.font())
    font.setFamilies([family])
    app.setFont(font)
    return family


_INSTALLED: list[QTranslator] = []
"""Translators any :class:`Languages` installed: the application shows one language, so a
switch removes them all, also those of a window that is closed but not yet deleted."""


class Languages(QObject):
    """Installs the translator of the current language on the application.

    ``changed(locale)`` is emitted after each switch; widgets also get ``LanguageChange``.
    """

    changed = Signal(str)

    def __init__(self, locale: str = DEFAULT_LOCALE, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._translator: QTranslator | None = None
        self._locale = ""
        self.switch(locale)

    @property
    def locale(self) -> str:
        """``zh_CN`` or ``en``."""
        return self._locale

    def switch(self, locale: str) -> bool:
        """Show the UI in ``locale`` from now on; False (and English) if its catalogue is
        missing or unreadable."""
        wanted = normalise(locale)
        app = QCoreApplication.instance()
        if app is not None:
            for installed in _INSTALLED:
                if shiboken6.isValid(installed):
                    QCoreApplication.removeTranslator(installed)
            _INSTALLED.clear()
        self._translator = None
        ok = True
        if wanted != "en":
            translator = QTranslator(self)
            if translator.load(str(qm_file(wanted))):
                QCoreApplication.installTranslator(translator)
                self._translator = translator
                _INSTALLED.append(translator)
            else:
                log.warning("%s: translation catalogue missing or unreadable", qm_file(wanted))
                ok = False
        self._locale = wanted
        QLocale.setDefault(QLocale(wanted))
        # Qt posts LanguageChange to every widget: deliver it now, so the switch is complete
        # when this returns.
        QCoreApplication.sendPostedEvents(None, QEvent.Type.LanguageChange)
        self.changed.emit(wanted)
        return ok

    def toggle(self) -> str:
        """Switch between Chinese and English; returns the new locale."""
        self.switch("en" if self._locale == "zh_CN" else "zh_CN")
        return self._locale

    def reason(self, reason: Reason | str) -> str:
        """The text of a reason code in the current language (the CLI's catalogue)."""
        return message(reason, self._locale)

    def reasons(self, reasons: list[str]) -> str:
        """Several reasons, joined for one line."""
        sep = "；" if self._locale == "zh_CN" else "; "
        return sep.join(self.reason(r) for r in reasons)
