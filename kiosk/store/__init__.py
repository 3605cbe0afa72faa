"""Persistence of the kiosk: registry snapshot, decision log (hash chain), outbox, meta.

``open_store(config)`` gives a migrated :class:`Store`; see ``docs/store.md``. Both are
imported on first use, so a program that needs only the store's modules (the central server
imports the schemas, records and chain) does not load the kiosk's configuration and drivers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kiosk.store.store import Store, open_store

__all__ = ["Store", "open_store"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from kiosk.store import store

        return getattr(store, name)
    raise AttributeError(f"module 'kiosk.store' has no attribute {name!r}")
