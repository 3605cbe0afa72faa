"""The kiosk's Qt screens: the gate screen, the admin window, sounds and languages.

Qt's multimedia module looks for the optional PipeWire library when it loads and warns on
stderr when it is missing (ALSA or PulseAudio play the sounds); that note is silenced here,
before any Qt module loads, unless ``QT_LOGGING_RULES`` is set.
"""

import os

os.environ.setdefault("QT_LOGGING_RULES", "qt.multimedia.symbolsresolver.warning=false")
