"""A registry change set: what one sync page, one import or one full snapshot changes.

Kinds are named as in :data:`kiosk.store.records.ALL_KINDS` (``people``, ``visit_approvals``,
``stay_approvals``, ``leave_approvals``, ``quarantines``, ``risk_areas``, ``checkins``,
``revocations``, ``trust_keys``). :meth:`kiosk.store.registry.RegistryWriter.apply` applies a
change set in one transaction; ``docs/store.md`` describes the format.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from kiosk.core.registry import RegistrySnapshot
from kiosk.store import records as rec

Key = Mapping[str, Any]


@dataclass(frozen=True)
class ChangeSet:
    """Upserts and deletions over the registry's kinds, applied all or nothing.

    ``replace``: kinds whose every record goes before the upserts are written (a full snapshot
    of those kinds); ``delete``: natural keys (``{"person_no": "T1001"}``) of records to remove;
    ``upsert``: records that replace those with the same natural key. Order within one apply:
    replace, delete, upsert.
    """

    upsert: Mapping[str, Sequence[Any]] = field(default_factory=dict)
    delete: Mapping[str, Sequence[Key]] = field(default_factory=dict)
    replace: frozenset[str] = frozenset()

    def kinds(self) -> set[str]:
        """Every kind the change set touches."""
        return set(self.upsert) | set(self.delete) | set(self.replace)

    def is_empty(self) -> bool:
        """Whether applying it changes no record."""
        return not self.replace and not any(self.upsert.values()) and not any(self.delete.values())


def snapshot_changes(snapshot: RegistrySnapshot) -> ChangeSet:
    """The change set that makes the registry equal to ``snapshot`` (every kind replaced)."""
    lists = {kind.name: list(getattr(snapshot, kind.name)) for kind in rec.ALL_KINDS}
    return ChangeSet(upsert=lists, replace=frozenset(lists))


def key_of(kind: rec.RecordKind[Any], record: Any) -> dict[str, Any]:
    """The natural key of ``record`` as a mapping (the form ``ChangeSet.delete`` takes)."""
    return {name: getattr(record, name) for name in kind.key}


def check(changes: ChangeSet) -> None:
    """Raise ``ValueError`` naming the first kind, record or key that cannot be applied."""
    kinds = {kind.name: kind for kind in rec.ALL_KINDS}
    for name in sorted(changes.kinds()):
        if name not in kinds:
            raise ValueError(f"unknown registry kind {name!r} (one of {', '.join(kinds)})")
    for name, records in changes.upsert.items():
        cls = kinds[name].record_type
        for i, record in enumerate(records):
            if not isinstance(record, cls):
                raise ValueError(
                    f"{name}[{i}]: expected a {cls.__name__}, got {type(record).__name__}"
                )
    for name, keys in changes.delete.items():
        wanted = set(kinds[name].key)
        for i, key in enumerate(keys):
            if set(key) != wanted:
                raise ValueError(
                    f"{name} delete[{i}]: expected the key fields {sorted(wanted)},"
                    f" got {sorted(key)}"
                )
