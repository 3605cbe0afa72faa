"""A person at the web pages without a browser: a requests session that reads forms' CSRF
tokens from the pages the way a browser would post them back."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import requests

from central.context import Central
from central.web import staff

PASSWORDS = {"host1": "host-password-1", "office1": "office-password-1", "admin1": "admin-pass-1"}
ID_VISITOR = "410102198705113381"  # a resident ID number whose check character is right


def add_staff(central: Central) -> None:
    """The host unit's approver, the office's approver and an admin."""
    staff.add_staff(central, "host1", PASSWORDS["host1"], "host", "计算机学院", "test")
    staff.add_staff(central, "office1", PASSWORDS["office1"], "office", "", "test")
    staff.add_staff(central, "admin1", PASSWORDS["admin1"], "admin", "", "test")


def tomorrow(central: Central) -> str:
    """Tomorrow on the campus calendar, by the server's clock."""
    return (central.now().astimezone(central.tz).date() + dt.timedelta(days=1)).isoformat()


def filing_form(central: Central, **changes: str) -> dict[str, str]:
    """A valid filing for tomorrow at the north gate."""
    form = {
        "name": "赵磊",
        "id_number": ID_VISITOR,
        "phone": "13800138000",
        "origin_region": "410105",
        "host_unit": "计算机学院",
        "host_person_no": "T1001",
        "visit_date": tomorrow(central),
        "gates": "north",
        "reason": "学术交流",
        "plate": "豫A·12345",
    }
    form.update(changes)
    return form


class WebUser:
    """One browser's cookies against the server at ``url``."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.http = requests.Session()

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.http.get(self.url + path, timeout=30, **kwargs)

    def post(self, path: str, data: Any, **kwargs: Any) -> requests.Response:
        return self.http.post(self.url + path, data=data, timeout=30, **kwargs)

    def csrf(self, path: str) -> str:
        """The CSRF token of the form on ``path``."""
        found = re.search(r'name="csrf" value="([^"]+)"', self.get(path).text)
        assert found, f"no form with a CSRF token on {path}"
        return found.group(1)

    def file(self, form: dict[str, str]) -> requests.Response:
        """Fill in and submit the visitor's form."""
        return self.post("/visit", {"csrf": self.csrf("/visit"), **form})

    def log_in(self, username: str) -> requests.Response:
        return self.post("/staff/login", {"username": username, "password": PASSWORDS[username]})

    def decide(self, approval_no: str, action: str, comment: str = "") -> requests.Response:
        path = f"/staff/filings/{approval_no}"
        return self.post(path, {"csrf": self.csrf(path), "action": action, "comment": comment})


def approval_no_of(status_url: str) -> str:
    """The filing number in a status page's address."""
    found = re.search(r"/visit/([^/?]+)\?t=", status_url)
    assert found, status_url
    return found.group(1)
