"""Which parts of the gate are faulty now, named for the guard: pure data, no Qt.

Each part reports its :class:`~drivers.device.DeviceState`; a part that is not usable gets a
banner line naming it and saying what still works. A log write failure lasts until the next
decision is logged. Every fault clears by itself when its part reports being back.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from drivers.device import DeviceState

PARTS: dict[str, tuple[str, str]] = {
    "camera": ("摄像头", "camera"),
    "thermometer": ("测温仪", "thermometer"),
    "relay": ("闸机继电器", "turnstile relay"),
    "idcard": ("身份证读卡器", "ID card reader"),
    "log": ("通行记录", "decision log"),
}
WHAT_STILL_WORKS: dict[str, tuple[str, str]] = {
    "camera": ("请手工录入证件号", "use manual entry"),
    "thermometer": ("不能自动放行，请手持测温后人工处理", "nobody is admitted without a reading"),
    "relay": ("闸机不能自动打开", "the turnstile will not open by itself"),
    "idcard": ("请手工录入证件号", "use manual entry"),
    "log": ("记录无法保存，不能放行", "decisions cannot be logged: nobody is admitted"),
}
STATE_WORDS: dict[str, tuple[str, str]] = {
    "stopped": ("已停止", "stopped"),
    "connecting": ("连接中", "connecting"),
    "ready": ("正常", "ready"),
    "active": ("工作中", "active"),
    "reconnecting": ("重新连接中", "reconnecting"),
    "stale": ("无数据", "stale"),
    "fault": ("故障", "fault"),
    "failed": ("失败", "failed"),
    "ended": ("已结束", "ended"),
}
HEALTHY = {DeviceState.READY.value, DeviceState.ACTIVE.value}
STARTING = {DeviceState.CONNECTING.value, DeviceState.STOPPED.value}


@dataclass
class Faults:
    """The parts' states and the faults they mean."""

    states: dict[str, tuple[str, str]] = field(default_factory=dict)
    """part → (state value, detail)."""
    log_error: str | None = None

    def device(self, part: str, state: str, detail: str) -> None:
        """Record ``part``'s new state."""
        self.states[part] = (state, detail)

    def log_failed(self, detail: str) -> None:
        """The decision log could not be written."""
        self.log_error = detail

    def log_ok(self) -> None:
        """A decision was logged again."""
        self.log_error = None

    def active(self) -> list[str]:
        """The faulty parts, in a fixed order (a part still starting is not a fault)."""
        out = [
            part
            for part in PARTS
            if part in self.states
            and self.states[part][0] not in HEALTHY | STARTING
        ]
        if self.log_error is not None:
            out.append("log")
        return out

    def lines(self) -> list[str]:
        """One line per fault: the part, its state and what still works."""
        lines = []
        for part in self.active():
            zh, en = PARTS[part]
            if part == "log":
                state_zh, state_en = "写入失败", "write failed"
            else:
                state_zh, state_en = STATE_WORDS.get(self.states[part][0], ("?", "?"))
            still_zh, still_en = WHAT_STILL_WORKS[part]
            lines.append(f"{zh}{state_zh}：{still_zh} · {en} {state_en}: {still_en}")
        return lines
