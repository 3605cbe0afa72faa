"""Persistence of the kiosk: registry snapshot, decision log (hash chain), outbox, meta.

``open_store(config)`` gives a migrated :class:`Store`; see ``docs/store.md``.
"""

from kiosk.store.store import Store, open_store

__all__ = ["Store", "open_store"]
