"""The collector every rule writes to while the engine evaluates a transaction."""

from __future__ import annotations

from dataclasses import dataclass, field

from kiosk.core.datasets import StaleDataset
from kiosk.core.reasons import Reason
from kiosk.core.verdict import Need


@dataclass
class Findings:
    """Rejects, warnings and what the transaction still waits for."""

    rejects: list[Reason] = field(default_factory=list)
    warnings: list[Reason] = field(default_factory=list)
    waits: list[Reason] = field(default_factory=list)
    needs: list[Need] = field(default_factory=list)
    close_leave_id: str | None = None
    confirmed: tuple[Reason, ...] = ()
    """Reasons a guard already confirmed (:attr:`Evidence.guard_confirmed`)."""
    confirmable: list[Reason] = field(default_factory=list)
    """Guard waits a guard's confirmation would resolve."""
    stale: list[StaleDataset] = field(default_factory=list)
    """R15: the datasets too old for this decision."""

    def reject(self, reason: Reason) -> None:
        """Record a reason that refuses entry."""
        if reason not in self.rejects:
            self.rejects.append(reason)

    def warn(self, reason: Reason) -> None:
        """Record a reason that admits but flags the record for follow-up."""
        if reason not in self.warnings:
            self.warnings.append(reason)

    def wait(self, reason: Reason, need: Need) -> bool:
        """Record something the transaction must still receive before it can admit.

        A ``guard`` wait a guard already confirmed is not recorded: the admit is flagged
        ``GUARD_CONFIRMED`` instead, and False is returned.
        """
        if need == "guard" and reason in self.confirmed:
            self.warn(Reason.GUARD_CONFIRMED)
            return False
        if reason not in self.waits:
            self.waits.append(reason)
        if need not in self.needs:
            self.needs.append(need)
        if (
            need == "guard"
            and reason != Reason.GUARD_CONFIRMATION_REQUIRED
            and reason not in self.confirmable
        ):
            self.confirmable.append(reason)
        return True

    def guard_check(self, reason: Reason) -> None:
        """Something only a guard can check by looking: wait for the guard's confirmation."""
        if self.wait(reason, "guard"):
            self.wait(Reason.GUARD_CONFIRMATION_REQUIRED, "guard")

    @property
    def refused(self) -> bool:
        return bool(self.rejects)
