"""Admin work through the real server: the visit workflow reaching the feed, keys, imports,
online verification and error bodies."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import requests

from central import admin
from kiosk.core.credentials import KeyRing, decode_credential
from kiosk.core.credentials.keys import TrustedKey
from kiosk.store.wire import row_record
from tests.central.feed_client import KioskRegistry
from tests.support.central_server import CentralServer

ID = "410105199001011234"


def _feed(server: CentralServer, token: str, kiosk: KioskRegistry) -> list[dict[str, Any]]:
    pages = []
    while True:
        answer = requests.get(
            server.url + "/api/v1/feed",
            params={"cursor": kiosk.cursor or "", "limit": "100"},
            headers=server.auth(token),
            timeout=10,
        )
        answer.raise_for_status()
        page = answer.json()
        kiosk.apply(page)
        pages.append(page)
        if page["complete"]:
            return pages


def _keyring(kiosk: KioskRegistry) -> KeyRing:
    rows = kiosk.rows()["trust_keys"]
    return KeyRing([TrustedKey.from_record(row_record("trust_keys", r)) for r in rows])


def test_a_visit_reaches_the_gates_only_after_both_approvals(
    shared_server: CentralServer, tmp_path: Path
) -> None:
    token = shared_server.add_gate("visits")
    kiosk = KioskRegistry(tmp_path / "kiosk" / "kiosk.db")
    _feed(shared_server, token, kiosk)
    visit_day = (dt.datetime.now(dt.UTC) + dt.timedelta(days=2)).date()
    filed = shared_server.admin(
        "POST",
        "/visits",
        json={
            "name": "王芳",
            "id_number": ID,
            "origin_region": "410105",
            "host_unit": "School of Physics",
            "host_person_no": "T1001",
            "visit_date": visit_day.isoformat(),
            "gates": ["north"],
        },
    )
    assert filed.status_code == 200, filed.text
    body = filed.json()
    number = body["approval_no"]
    assert (body["status"], body["name"], body["id_number"]) == ("filed", "王芳", ID)
    filed_at = dt.datetime.fromisoformat(body["filed_at"])
    assert abs(filed_at - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=1)  # server's clock

    early = shared_server.admin("POST", f"/visits/{number}/office-approval")
    assert (
        early.status_code == 409 and "host unit approves first" in early.json()["error"]["message"]
    )
    assert shared_server.admin("POST", f"/visits/{number}/host-approval").status_code == 200
    _feed(shared_server, token, kiosk)
    assert kiosk.rows()["visit_approvals"] == []  # one approval is not enough

    same = shared_server.admin("POST", f"/visits/{number}/office-approval")
    assert same.status_code == 409  # the same person cannot approve twice
    office_token = admin.add_admin(shared_server.central, "office", "test")  # the office
    approved = requests.post(
        f"{shared_server.url}/api/v1/admin/visits/{number}/office-approval",
        headers=shared_server.auth(office_token),
        timeout=10,
    )
    assert approved.status_code == 200, approved.text
    slip = approved.json()["slip"]

    _feed(shared_server, token, kiosk)
    (visit,) = kiosk.rows()["visit_approvals"]
    assert visit["status"] == "approved" and visit["approval_no"] == number
    assert visit["name_masked"] == "王*" and visit["id_masked"] == "**************1234"
    assert ID not in str(visit) and "王芳" not in str(visit)
    decoded = decode_credential(slip, _keyring(kiosk), dt.datetime.now(dt.UTC))
    assert decoded.approval_no == number  # type: ignore[union-attr]

    withdrawn = shared_server.admin(
        "POST", f"/visits/{number}/refusal", json={"reason": "host cancelled"}
    )
    assert withdrawn.json()["status"] == "withdrawn"
    _feed(shared_server, token, kiosk)
    assert kiosk.rows()["visit_approvals"][0]["status"] == "cancelled"
    kiosk.close()


def test_key_rotation_and_revocation_reach_the_trust_list(
    shared_server: CentralServer, tmp_path: Path
) -> None:
    token = shared_server.add_gate("keys")
    kiosk = KioskRegistry(tmp_path / "kiosk" / "kiosk.db")
    _feed(shared_server, token, kiosk)
    (old,) = kiosk.rows()["trust_keys"]
    rotated = shared_server.admin("POST", "/keys/rotate", json={"grace_days": 0})
    new_kid = rotated.json()["kid"]
    _feed(shared_server, token, kiosk)
    keys = {k["kid"]: k for k in kiosk.rows()["trust_keys"]}
    assert set(keys) == {old["kid"], new_kid}
    assert keys[old["kid"]]["not_after"] is not None and keys[new_kid]["not_after"] is None
    refused = shared_server.admin("DELETE", f"/keys/{new_kid}")
    assert refused.status_code == 409  # the signing key cannot be revoked before a rotation
    assert shared_server.admin("DELETE", f"/keys/{old['kid']}").status_code == 204
    pages = _feed(shared_server, token, kiosk)
    assert pages[0]["delete"] == {"trust_keys": [{"kid": old["kid"]}]}
    assert [k["kid"] for k in kiosk.rows()["trust_keys"]] == [new_kid]
    kiosk.close()


def test_people_csv_import_and_records_through_the_api(shared_server: CentralServer) -> None:
    csv_text = "person_no,role,name,id_number,unit\nS2021001,student,李明,410205199002023456,CS\n"
    answer = shared_server.admin(
        "POST", "/import/people", data=csv_text.encode(), headers={"content-type": "text/csv"}
    )
    assert answer.json() == {"count": 1}
    (person,) = shared_server.admin("GET", "/records/people").json()
    assert person["name_masked"] == "李*" and "410205199002023456" not in str(person)
    bad = shared_server.admin(
        "POST", "/import/people", data=b"person_no,role,name\n=1+1,student,x\n"
    )
    message = bad.json()["error"]["message"]
    assert bad.status_code == 422 and message.startswith("uploaded people.csv: line 2")
    risk = shared_server.admin(
        "POST",
        "/records/risk_areas",
        json={"records": [{"region_code": "410105", "level": "high", "from": "2022-01-05T00:00"}]},
    )
    assert risk.json() == {"count": 1}  # a time without offset is read in the campus zone
    assert shared_server.admin("GET", "/records/risk_areas").json()[0]["start"] == (
        "2022-01-04T16:00:00.000000+00:00"
    )


def test_online_verification_answers_from_the_reference_backend(
    shared_server: CentralServer,
) -> None:
    token = shared_server.add_gate("verify")
    code = "https://hc.example.gov.cn/healthcode?t=abc123"
    added = shared_server.admin("POST", "/health-codes", json={"code": code, "color": "red"})
    assert added.status_code == 204
    url = shared_server.url + "/api/v1/verify/health-code"
    known = requests.post(url, json={"code": code}, headers=shared_server.auth(token), timeout=5)
    unknown = requests.post(
        url, json={"code": code + "x"}, headers=shared_server.auth(token), timeout=5
    )
    assert known.json()["color"] == "red" and unknown.json()["color"] == "unverified"
    assert code not in known.text


def test_error_bodies_name_the_problem(shared_server: CentralServer) -> None:
    token = shared_server.add_gate("errors")
    auth = shared_server.auth(token)
    url = shared_server.url + "/api/v1"
    as_json = {**auth, "content-type": "application/json"}
    for headers in (auth, as_json):
        not_json = requests.post(url + "/decisions", data=b"{", headers=headers, timeout=5)
        assert not_json.status_code == 400
        assert not_json.json() == {
            "error": {"code": "bad_request", "message": "the body is not a JSON object"}
        }
    too_many = requests.post(
        url + "/decisions", json={"records": [{}] * 1001}, headers=auth, timeout=5
    )
    assert too_many.status_code == 422 and too_many.json()["error"]["message"].startswith("records")
    bad_limit = requests.get(url + "/feed", params={"limit": 0}, headers=auth, timeout=5)
    assert bad_limit.status_code == 422 and "limit" in bad_limit.json()["error"]["message"]
    missing = shared_server.admin("POST", "/visits/V-nope/host-approval")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    nowhere = requests.get(url + "/nowhere", timeout=5)
    assert nowhere.status_code == 404 and nowhere.json()["error"]["code"] == "not_found"
