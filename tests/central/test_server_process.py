"""The real server process: health without a token, 401 without detail, enrolment."""

from __future__ import annotations

import requests

from kiosk.store.secrets import fingerprint
from tests.support.central_server import CentralServer


def test_health_answers_without_a_token_and_names_the_schema(central_server: CentralServer):
    answer = requests.get(central_server.url + "/api/v1/health", timeout=5)
    assert answer.status_code == 200
    assert answer.json()["schema"] == "0001"
    assert "date" in answer.headers


def test_a_missing_wrong_or_revoked_token_gets_the_same_401(central_server: CentralServer):
    token = central_server.add_gate("north")
    url = central_server.url + "/api/v1/gate/enrolment"
    central_server.admin("DELETE", "/gates/north/token").raise_for_status()
    answers = [
        requests.get(url, timeout=5),
        requests.get(url, headers={"Authorization": "Bearer nonsense"}, timeout=5),
        requests.get(url, headers=central_server.auth("cgt_" + "x" * 43), timeout=5),
        requests.get(url, headers=central_server.auth(token), timeout=5),  # revoked
        requests.get(url, headers=central_server.auth(central_server.admin_token), timeout=5),
    ]
    assert [a.status_code for a in answers] == [401] * 5
    assert {a.text for a in answers} == {
        '{"error":{"code":"unauthorized","message":"unauthorized"}}'
    }
    assert all(a.headers["www-authenticate"] == "Bearer" for a in answers)


def test_a_gate_token_cannot_call_admin_endpoints(central_server: CentralServer):
    token = central_server.add_gate("north")
    answer = requests.get(
        central_server.url + "/api/v1/admin/gates", headers=central_server.auth(token), timeout=5
    )
    assert answer.status_code == 401


def test_enrolment_hands_out_the_campus_key(central_server: CentralServer):
    token = central_server.add_gate("north")
    body = requests.get(
        central_server.url + "/api/v1/gate/enrolment",
        headers=central_server.auth(token),
        timeout=5,
    ).json()
    key = central_server.central.keys.campus_key()
    assert body["gate"] == "north"
    assert bytes.fromhex(body["campus_key"]) == key
    assert body["campus_key_fingerprint"] == fingerprint(key)


def test_tokens_are_stored_only_as_hashes(central_server: CentralServer):
    token = central_server.add_gate("north")
    from sqlalchemy import text

    with central_server.central.engine.connect() as conn:
        stored = [r[0] for r in conn.execute(text("SELECT token_hash FROM gates"))]
    assert token not in stored and len(stored[0]) == 64
