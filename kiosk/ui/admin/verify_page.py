"""The admin page that checks the log's hash chain and shows what it found."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, Signal
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget

from kiosk.store.verify import VerifyReport
from kiosk.ui.admin import query
from kiosk.ui.admin.worker import SqlRunner


class VerifyPage(QWidget):
    """Runs :meth:`DecisionLog.verify` in a worker process; ``verified(report)`` when done."""

    verified = Signal(object)

    def __init__(
        self,
        database_url: str,
        runner: SqlRunner,
        audit: Callable[[str, dict[str, object]], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._url = database_url
        self._runner = runner
        self._audit = audit
        self.report: VerifyReport | None = None
        self.button = QPushButton()
        self.button.clicked.connect(self.run)
        self.result = QLabel()
        self.result.setObjectName("verify-result")
        self.result.setWordWrap(True)
        self.problems = QPlainTextEdit()
        self.problems.setReadOnly(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.button)
        layout.addWidget(self.result)
        layout.addWidget(self.problems, 1)
        self._retranslate()

    def run(self) -> None:
        """Start a verification (the button is disabled until it ends)."""
        self.button.setEnabled(False)
        self.result.setStyleSheet("")
        self.result.setText(self.tr("Checking the chain…"))
        self._runner.submit_process(
            query.verify_at, self._url, on_done=self._done, on_error=self._error, label="verify"
        )

    def _done(self, report: VerifyReport) -> None:
        self.report = report
        self.button.setEnabled(True)
        self._audit("verify", {"ok": report.ok, "checked": report.checked,
                               "problems": len(report.problems)})
        self._show()
        self.verified.emit(report)

    def _show(self) -> None:
        report = self.report
        if report is None:
            return
        if report.ok:
            self.result.setStyleSheet("color: #1b5e20; font-weight: bold")
            self.result.setText(
                self.tr("Intact: %n record(s) checked, no problem found.", "", report.checked)
            )
        else:
            self.result.setStyleSheet("color: #b3261e; font-weight: bold")
            self.result.setText(
                self.tr("TAMPERED: %n problem(s) found.", "", len(report.problems))
                + " "
                + self.tr("%n record(s) checked.", "", report.checked)
            )
        self.problems.setPlainText("\n".join(str(p) for p in report.problems))

    def _error(self, text: str) -> None:
        self.button.setEnabled(True)
        self.result.setStyleSheet("color: #b3261e")
        self.result.setText(self.tr("Verification failed: %1").replace("%1", text))

    def _retranslate(self) -> None:
        self.button.setText(self.tr("Verify the log chain"))
        if self.report is None:
            self.result.setText(self.tr("Not checked yet."))
        else:
            self._show()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
        super().changeEvent(event)
