"""The demo campus: a registry with a few thousand people and a morning's worth of stories."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal
from zoneinfo import ZoneInfo

from drivers.idcard.card import encode_text_block
from kiosk.core.credentials import codec
from kiosk.core.credentials.keys import SigningKey
from kiosk.core.credentials.types import NatResult
from kiosk.core.identity import id_hmac, mask_id, mask_name
from kiosk.core.registry import (
    Checkin,
    LeaveApproval,
    Person,
    RegistrySnapshot,
    RiskArea,
    Role,
    StayApproval,
    TrustKey,
    Vehicle,
    VisitApproval,
)

TZ = ZoneInfo("Asia/Shanghai")
DAY = dt.date(2022, 1, 20)
START = dt.datetime(2022, 1, 20, 7, 0, tzinfo=TZ)
CAMPUS_CAR = "豫A12345"
"""The one car on the demo campus's vehicle list (李明's, 计算机学院)."""
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂"


@dataclass(frozen=True)
class Issuers:
    """The demo's signing keys: the provincial health-code platform and the school."""

    province: SigningKey
    school: SigningKey

    def trust_keys(self) -> list[TrustKey]:
        """Trust-list records for both issuers."""
        out = []
        for key, issuer, prefixes in (
            (self.province, "河南省健康码平台 (demo)", ("HK1",)),
            (self.school, "学校 (demo)", ("CP1", "VA1")),
        ):
            t = key.trusted_key(issuer, prefixes)
            out.append(TrustKey(t.kid, t.alg, t.public_key_der, issuer, None, None, prefixes))
        return out


Show = Callable[[Issuers, dt.datetime], list[str]]


@dataclass(frozen=True)
class Visit:
    """One person at the gate: what they show, their forehead temperature, what happens."""

    at: dt.datetime
    who: str
    story: str
    show: Show
    skin_c: list[float] = field(default_factory=lambda: [35.6])
    kind: Literal["person", "escort"] = "person"
    id_card: bytes | None = None
    """Text block of an ID card put on the reader before the codes are shown."""


def _pass(person_no: str, role: str, **claims: object) -> Show:
    def make(iss: Issuers, now: dt.datetime) -> list[str]:
        return [
            codec.issue_campus_pass(
                iss.school,
                person_no=person_no,
                role=role,
                iat=now - dt.timedelta(seconds=5),
                exp=now + dt.timedelta(seconds=55),
                **claims,  # type: ignore[arg-type]
            )
        ]

    return make


def _health(
    name: str,
    id_number: str,
    *,
    color: str = "green",
    regions: tuple[str, ...] = (),
    nat_hours: float | None = None,
    slip: str | None = None,
) -> Show:
    def make(iss: Issuers, now: dt.datetime) -> list[str]:
        nat = None
        if nat_hours is not None:
            nat = NatResult("negative", now - dt.timedelta(hours=nat_hours))
        out = [
            codec.issue_health_code(
                iss.province,
                name=name,
                id_number=id_number,
                color=color,
                nat=nat,
                visited_regions=regions,
                iat=now - dt.timedelta(minutes=2),
                exp=now + dt.timedelta(hours=24),
            )
        ]
        if slip:
            out.append(
                codec.issue_visit_slip(
                    iss.school,
                    approval_no=slip,
                    iat=now - dt.timedelta(days=1),
                    exp=now + dt.timedelta(days=1),
                )
            )
        return out

    return make


def _id_card(name: str, id_number: str, valid_to: str) -> bytes:
    return encode_text_block(
        name=name, id_number=id_number, sex="2", valid_from="20160301", valid_to=valid_to
    )


def _raw(text: str) -> Show:
    return lambda iss, now: [text]


def _replay() -> Show:
    """The same pass text as the previous person showed (a screenshot passed along)."""
    return lambda iss, now: ["<repeat>"]


def morning() -> list[Visit]:
    """The scripted visits of the demo morning, in order."""
    t = START
    m = dt.timedelta(minutes=1)
    return [
        Visit(
            t + 2 * m,
            "S2020001",
            "student staying over the break, checked in",
            _pass("S2020001", "student"),
        ),
        Visit(t + 3 * m, "T1001", "staff member of the computer school", _pass("T1001", "staff")),
        Visit(
            t + 5 * m,
            "S2020002",
            "student without an approval to stay",
            _pass("S2020002", "student"),
        ),
        Visit(
            t + 6 * m,
            "S2020003",
            "student with a fever, retested",
            _pass("S2020003", "student"),
            skin_c=[37.0, 37.1],
        ),
        Visit(t + 8 * m, "D0001", "food-delivery rider", _pass("D0001", "delivery")),
        Visit(
            t + 10 * m,
            "王芳",
            "visitor from Kaifeng, approval filed two days ahead, NAT 30 h",
            _health("王芳", "410205199002023456", regions=("410205",), nat_hours=30, slip="V-0001"),
        ),
        Visit(
            t + 11 * m,
            "S2020004",
            "student returning late from an approved leave",
            _pass("S2020004", "student"),
        ),
        Visit(
            t + 12 * m,
            "郑红",
            "visitor whose slip did not print: her ID card on the reader instead of typing",
            _health("郑红", "410103197503152042", regions=("410103",)),
            id_card=_id_card("郑红", "410103197503152042", "20360301"),
        ),
        Visit(
            t + 13 * m,
            "T1001",
            "host arrives and scans the pass for the visitor",
            _pass("T1001", "staff"),
            kind="escort",
        ),
        Visit(
            t + 14 * m,
            "T1001",
            "host scans again for the second visitor",
            _pass("T1001", "staff"),
            kind="escort",
        ),
        Visit(
            t + 15 * m,
            "T1002",
            "staff member with a yellow code",
            _pass("T1002", "staff", color="yellow"),
        ),
        Visit(
            t + 16 * m,
            "C3001",
            "canteen worker who has not checked in today",
            _pass("C3001", "contractor", checked_in=False),
        ),
        Visit(t + 17 * m, "S2020005", "student shows a pass", _pass("S2020005", "student")),
        Visit(
            t + 17 * m + dt.timedelta(seconds=20),
            "?",
            "someone shows a photo of the same pass",
            _replay(),
        ),
        Visit(
            t + 19 * m,
            "?",
            "a shop's QR code held up by mistake",
            _raw("https://shop.example.com/coupon?id=42"),
        ),
        Visit(
            t + 21 * m,
            "赵强",
            "visitor from Beijing, NAT 60 h old",
            _health("赵强", "110105198505054321", regions=("110105",), nat_hours=60, slip="V-0002"),
        ),
        Visit(
            t + 23 * m,
            "孙丽",
            "visitor who came through a medium-risk district",
            _health("孙丽", "410102199107076543", regions=("410102", "410105"), slip="V-0003"),
        ),
        Visit(
            t + 25 * m,
            "T1003",
            "staff member, thermometer reads a cold forehead first",
            _pass("T1003", "staff"),
            skin_c=[31.0, 35.7],
        ),
    ]


VISITS: tuple[tuple[str, str, str, str, int], ...] = (
    ("V-0001", "王芳", "410205199002023456", "410205", 2),
    ("V-0002", "赵强", "110105198505054321", "110105", 3),
    ("V-0003", "孙丽", "410102199107076543", "410105", 1),
    ("V-0004", "郑红", "410103197503152042", "410103", 2),
)
"""The demo's visitors as filed: approval number, name, ID number, origin, days filed ahead
(all hosted by 计算机学院's T1001)."""


def build_registry(
    iss: Issuers, key: bytes, filler: int = 2000, seed: int = 2022
) -> RegistrySnapshot:
    """The demo registry: the cast plus ``filler`` ordinary students and staff."""
    snap = RegistrySnapshot(version="demo-2022-01-20", synced_at=START - dt.timedelta(hours=1))
    people: list[tuple[str, Role, str, str, str]] = [
        ("S2020001", "student", "张伟", "410105200201011111", "计算机学院"),
        ("S2020002", "student", "刘洋", "410105200203032222", "文学院"),
        ("S2020003", "student", "陈静", "410105200204043333", "化学学院"),
        ("S2020004", "student", "杨磊", "410105200205054444", "物理学院"),
        ("S2020005", "student", "黄娟", "410105200206065555", "数学学院"),
        ("T1001", "staff", "李明", "410105198001011234", "计算机学院"),
        ("T1002", "staff", "周涛", "410105197902026789", "后勤处"),
        ("T1003", "staff", "吴敏", "410105198303037890", "保卫处"),
        ("C3001", "contractor", "徐刚", "410105197504048901", "餐饮中心"),
        ("D0001", "delivery", "胡军", "410105199505059012", ""),
    ]
    rng = random.Random(seed)
    for i in range(filler):
        role: Role = "student" if i % 6 else "staff"
        name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(["", *GIVEN])
        ident = (
            f"4101{rng.randrange(10, 99)}{rng.randrange(1970, 2004)}{rng.randrange(1, 13):02d}"
            f"{rng.randrange(1, 29):02d}{rng.randrange(1000, 9999)}"
        )
        prefix = "S21" if role == "student" else "T2"
        people.append((f"{prefix}{i:05d}", role, name, ident, "某学院"))
    for person_no, role, name, ident, unit in people:
        snap.people.append(
            Person(person_no, role, mask_name(name), id_hmac(key, ident), mask_id(ident), unit)
        )
        if person_no not in ("C3001",):
            snap.checkins.append(Checkin(person_no, DAY, "normal"))
        if role == "student" and person_no != "S2020002":
            snap.stay_approvals.append(
                StayApproval(person_no, dt.date(2022, 1, 15), dt.date(2022, 2, 20), "approved")
            )
    snap.leave_approvals.append(
        LeaveApproval(
            "L-2022-0117",
            "S2020004",
            "campus_exit",
            START - dt.timedelta(days=1, hours=2),
            START - dt.timedelta(hours=10),
            "410105",
            "approved",
        )
    )
    snap.vehicles.append(Vehicle(CAMPUS_CAR, "计算机学院", "T1001"))
    for no, name, ident, origin, filed_days in VISITS:
        snap.visit_approvals.append(
            VisitApproval(
                no,
                mask_name(name),
                id_hmac(key, ident),
                origin,
                "计算机学院",
                "T1001",
                DAY,
                (),
                START - dt.timedelta(days=filed_days),
                "approved",
                mask_id(ident),
            )
        )
    snap.risk_areas.append(RiskArea("410102", "medium", START - dt.timedelta(days=6), None))
    snap.trust_keys.extend(iss.trust_keys())
    return snap
