"""The real server process: health without a token, 401 without detail, enrolment."""

from __future__ import annotations

import requests
from alembic.config import Config
from alembic.script import ScriptDirectory

from central.db import MIGRATIONS
from kiosk.store.secrets import fingerprint
from tests.support.central_server import CentralServer


def _head() -> str:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    head = ScriptDirectory.from_config(config).get_current_head()
    assert head is not None
    return head


def test_health_answers_without_a_token_and_names_the_schema(shared_server: CentralServer):
    answer = requests.get(shared_server.url + "/api/v1/health", timeout=5)
    assert answer.status_code == 200
    assert answer.json()["schema"] == _head()
    assert "date" in answer.headers


def test_a_missing_wrong_or_revoked_token_gets_the_same_401(shared_server: CentralServer):
    token = shared_server.add_gate("revoked")
    url = shared_server.url + "/api/v1/gate/enrolment"
    shared_server.admin("DELETE", "/gates/revoked/token").raise_for_status()
    answers = [
        requests.get(url, timeout=5),
        requests.get(url, headers={"Authorization": "Bearer nonsense"}, timeout=5),
        requests.get(url, headers=shared_server.auth("cgt_" + "x" * 43), timeout=5),
        requests.get(url, headers=shared_server.auth(token), timeout=5),  # revoked
        requests.get(url, headers=shared_server.auth(shared_server.admin_token), timeout=5),
    ]
    assert [a.status_code for a in answers] == [401] * 5
    assert {a.text for a in answers} == {
        '{"error":{"code":"unauthorized","message":"unauthorized"}}'
    }
    assert all(a.headers["www-authenticate"] == "Bearer" for a in answers)


def test_a_gate_token_cannot_call_admin_endpoints(shared_server: CentralServer):
    token = shared_server.add_gate("nosy")
    answer = requests.get(
        shared_server.url + "/api/v1/admin/gates", headers=shared_server.auth(token), timeout=5
    )
    assert answer.status_code == 401


def test_enrolment_hands_out_the_campus_key(shared_server: CentralServer):
    token = shared_server.add_gate("new")
    body = requests.get(
        shared_server.url + "/api/v1/gate/enrolment",
        headers=shared_server.auth(token),
        timeout=5,
    ).json()
    key = shared_server.central.keys.campus_key()
    assert body["gate"] == "new"
    assert bytes.fromhex(body["campus_key"]) == key
    assert body["campus_key_fingerprint"] == fingerprint(key)


def test_tokens_are_stored_only_as_hashes(shared_server: CentralServer):
    token = shared_server.add_gate("hashed")
    from sqlalchemy import text

    with shared_server.central.engine.connect() as conn:
        stored = [r[0] for r in conn.execute(text("SELECT token_hash FROM gates"))]
    assert token not in stored and {len(h) for h in stored if h} == {64}
