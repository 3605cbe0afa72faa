"""What the gate screen plugs in: the language switch (F9), the admin window behind the PIN
(F12, its devices page on the gate's own devices) and the sound cues of each banner."""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject

from kiosk.admin_pin import PinChecker
from kiosk.config import KioskConfig
from kiosk.store import Store
from kiosk.ui.admin import AdminWindow, DeviceMonitor, open_admin
from kiosk.ui.gate_screen import GateScreen
from kiosk.ui.i18n import Languages
from kiosk.ui.presenter import ScreenState
from kiosk.ui.sound import Cue, SoundPlayer

log = logging.getLogger(__name__)
CUES = {"admit": Cue.ADMIT, "reject": Cue.REJECT, "fever": Cue.FEVER}


class ScreenCompanions(QObject):
    """Languages, sounds and the admin window, wired to ``screen``'s signals."""

    def __init__(
        self,
        screen: GateScreen,
        config: KioskConfig,
        store: Store,
        pin_checker: PinChecker,
        *,
        monitor: DeviceMonitor | None = None,
    ) -> None:
        super().__init__(screen)
        self.screen, self.config, self.store, self.pin_checker = screen, config, store, pin_checker
        self.monitor = monitor
        self.languages = Languages(config.settings.gate.locale, self)
        self.sound = SoundPlayer(config.settings.sound, self.languages.locale, parent=self)
        self.languages.changed.connect(self.sound.set_locale)
        self.admin: AdminWindow | None = None
        self._last: tuple[str, str | None] = ("idle", None)
        screen.language_requested.connect(self.languages.toggle)
        screen.admin_requested.connect(self.open_admin)
        screen.state_shown.connect(self.cue)

    def cue(self, state: ScreenState) -> None:
        """Play the cue of a new banner (once per transaction and kind)."""
        key = (state.kind, state.tx_id)
        if key == self._last:
            return
        self._last = key
        if state.kind in CUES:
            self.sound.play(CUES[state.kind])
        elif state.kind == "pending" and state.prompt and state.prompt[1].startswith("Show"):
            self.sound.play(Cue.SHOW_CODE)

    def open_admin(self) -> None:
        """Ask for the admin PIN and open the admin window (logged by the window)."""
        window = open_admin(
            self.store,
            self.config,
            self.pin_checker,
            self.languages,
            monitor=self.monitor,
            parent=self.screen,
        )
        if window is not None:
            self.admin = window
            window.show()
