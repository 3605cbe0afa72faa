"""What the gate screen shows for a transaction: pure data, no Qt.

People at the gate read everything twice, Chinese first and English second; reason texts come
from the same catalogue as the CLI's (:func:`kiosk.core.reasons.message`). Guard-facing words
(buttons, the status bar) are translated by Qt in the widgets instead.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from kiosk.core.plates import display_plate
from kiosk.core.reasons import Reason, message
from kiosk.core.verdict import Need
from kiosk.service import TransactionView

BannerKind = Literal["idle", "admit", "reject", "pending", "fever"]
Bilingual = tuple[str, str]

TITLES: dict[BannerKind, Bilingual] = {
    "idle": ("请出示健康码或校园码", "Please show your code"),
    "admit": ("放行", "Admitted"),
    "reject": ("拒绝通行", "Not admitted"),
    "pending": ("请稍候", "Please wait"),
    "fever": ("体温异常", "Fever alert"),
}
PROMPTS: dict[Need, Bilingual] = {
    "credential": ("请出示健康码", "Show your code"),
    "health_code": ("请出示健康码", "Show your health code"),
    "temperature": ("请测温", "Measure your temperature"),
    "retest": ("请重新测温", "Measure your temperature again"),
    "escort": ("请等待接洽人员", "Waiting for your host"),
    "guard": ("请等待保安确认", "A guard will check"),
}
FINAL_PROMPTS: dict[BannerKind, Bilingual] = {
    "admit": ("请通行", "Please go through"),
    "reject": ("请联系保安", "Please see the guard"),
    "fever": ("请到留观区，保安将联系您", "Please wait in the observation area"),
}
ROLES: dict[str, Bilingual] = {
    "student": ("学生", "student"),
    "staff": ("教职工", "staff"),
    "contractor": ("在校工作人员", "contractor"),
    "courier_fixed": ("固定快递员", "registered courier"),
    "courier_temp": ("临时快递员", "temporary courier"),
    "delivery": ("外卖骑手", "delivery rider"),
    "visitor": ("访客", "visitor"),
}


@dataclass(frozen=True)
class ScreenState:
    """Everything the person-facing half of the screen shows at one moment."""

    kind: BannerKind
    title: Bilingual
    reasons: tuple[Bilingual, ...] = ()
    warnings: tuple[Bilingual, ...] = ()
    prompt: Bilingual | None = None
    temperature: str = ""
    person: str = ""
    card: str = ""
    escort_deadline: dt.datetime | None = None
    tx_id: str | None = None
    relay_fault: bool = False

    @property
    def key(self) -> str:
        """What makes two states look different (the demo takes one screenshot of each)."""
        need = self.prompt[1] if self.prompt else ""
        return f"{self.kind}:{need}"


IDLE = ScreenState("idle", TITLES["idle"], prompt=PROMPTS["credential"])


def bilingual(reason: Reason) -> Bilingual:
    """The catalogue's Chinese and English text of ``reason``."""
    return message(reason, "zh_CN"), message(reason, "en")


def banner_kind(view: TransactionView) -> BannerKind:
    """Which banner ``view`` gets: fever stays until a guard acknowledges it."""
    if Reason.FEVER in view.reasons and view.outcome == "reject" and not view.fever_acknowledged:
        return "fever"
    return view.outcome


def temperature_text(view: TransactionView) -> str:
    """The last measurement: ``36.5 °C``, or what went wrong with it."""
    if not view.readings:
        return ""
    last = view.readings[-1]
    if last.body_c is None:
        return "测温失败 no reading" + (f" ({last.fault})" if last.fault else "")
    text = f"{last.body_c:.1f} °C"
    return text if last.valid else f"{text} ?"


def person_text(view: TransactionView) -> str:
    """The masked person: ``王* · 学生 student · S2020001`` (never more than the log keeps);
    in the vehicle lane the plate first: ``车牌 plate 豫A·12345 · 李* · …``."""
    s = view.subject
    parts: list[str] = []
    if s.plate:
        parts.append(f"车牌 plate {display_plate(s.plate)}")
    if s.name_masked:
        parts.append(s.name_masked)
    if s.role:
        zh, en = ROLES.get(s.role, (s.role, s.role))
        parts.append(f"{zh} {en}")
    if s.person_no:
        parts.append(s.person_no)
    if s.host_unit:
        parts.append(f"接洽 host: {s.host_unit}")
    if s.approval_no:
        parts.append(f"审批 {s.approval_no}")
    return " · ".join(parts)


def card_text(view: TransactionView) -> str:
    """The ID card's masked summary: name, number, validity."""
    c = view.id_card
    if c is None:
        return ""
    until = "长期 long-term" if c.valid_to is None else f"有效至 valid to {c.valid_to:%Y-%m-%d}"
    return f"身份证 ID card: {c.name_masked} {c.id_masked} · {until}"


def state_of(view: TransactionView) -> ScreenState:
    """The screen state for one transaction."""
    kind = banner_kind(view)
    prompt: Bilingual | None
    if view.outcome == "pending":
        prompt = PROMPTS[view.needs[0]] if view.needs else None
    else:
        prompt = FINAL_PROMPTS[kind] if kind != "pending" else None
        if kind == "admit" and view.relay == "fault":
            prompt = ("闸机未打开，请联系保安", "The turnstile did not open: see the guard")
    return ScreenState(
        kind=kind,
        title=TITLES[kind],
        reasons=tuple(bilingual(r) for r in view.reasons),
        warnings=tuple(bilingual(r) for r in view.warnings),
        prompt=prompt,
        temperature=temperature_text(view),
        person=person_text(view),
        card=card_text(view),
        escort_deadline=view.escort_deadline if "escort" in view.needs else None,
        tx_id=view.id,
        relay_fault=view.relay == "fault",
    )


def countdown(deadline: dt.datetime, now: dt.datetime) -> str:
    """``09:41`` left until ``deadline`` (``00:00`` once it passed)."""
    left = max(0, int((deadline - now).total_seconds()))
    return f"{left // 60:02d}:{left % 60:02d}"
