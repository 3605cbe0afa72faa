"""Once the gate is up: keep what start-up built out of the garbage collector's later walks.

A full collection of Python's cyclic garbage collector walks every tracked object; on the demo
campus that is about 165 000 objects after start-up (registry caches, Qt wrappers, SQLAlchemy's
compiled statements) and one walk took about 80 ms on whatever thread triggered it — the UI
thread's stall budget is 50 ms. :func:`freeze_startup_objects` moves them to the collector's
permanent generation (:func:`gc.freeze`), so later collections walk only what the day
allocates. Reference counting still frees them as usual.
"""

from __future__ import annotations

import gc


def freeze_startup_objects() -> None:
    """Collect once, then keep every object alive now out of later full collections."""
    gc.collect()
    gc.freeze()
