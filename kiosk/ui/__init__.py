"""The kiosk's Qt screens: the gate screen, the admin window, sounds and languages.

Qt's multimedia module looks for the optional PipeWire library when it loads and warns on
stderr when it is missing (ALSA or PulseAudio play the sounds); that note is silenced here,
before any Qt module loads, unless ``QT_LOGGING_RULES`` is set.

PySide creates its Python types and enums lazily, on first use, by default. On the gate that
meant about 170 enum classes made in one go the first time the status bar or a banner drew a
new kind of text: a 100–200 ms stall of the UI thread in front of the first person of the day
(``scripts/bench screen``). ``PYSIDE6_OPTION_LAZY=0``, set here before PySide6 loads, makes
them all when PySide6 is imported instead (only this package imports Qt).
"""

import os

os.environ.setdefault("QT_LOGGING_RULES", "qt.multimedia.symbolsresolver.warning=false")
os.environ.setdefault("PYSIDE6_OPTION_LAZY", "0")
