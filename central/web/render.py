"""Rendering pages: the Jinja2 environment (autoescaped), locale, security headers, CSRF for
forms without a session (the visitor's), and the one error page."""

from __future__ import annotations

import hmac
import secrets
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from central.web.i18n import pick_locale, translator
from kiosk.core.regions import HENAN_CITIES, PROVINCES, ZHENGZHOU_COUNTIES, region_name

TEMPLATES = Path(__file__).resolve().parent / "templates"
VISITOR_CSRF_COOKIE = "vcsrf"
LOCALE_COOKIE = "lang"
HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; form-action 'self';"
        " frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}

env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
env.globals.update(
    provinces=PROVINCES,
    henan_cities=HENAN_CITIES,
    zhengzhou_counties=ZHENGZHOU_COUNTIES,
    region_name=region_name,
)


def locale_of(request: Request) -> str:
    """The page's locale from ``?lang=`` or the remembered cookie."""
    return pick_locale(request.query_params.get("lang"), request.cookies.get(LOCALE_COOKIE))


def page(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """Render ``template`` in the request's locale with the security headers."""
    locale = context.pop("locale", None) or locale_of(request)
    html = env.get_template(template).render(
        request=request, locale=locale, t=translator(locale), **context
    )
    response = HTMLResponse(html, status_code=status_code, headers=HEADERS)
    if request.query_params.get("lang") == locale:
        response.set_cookie(LOCALE_COOKIE, locale, max_age=365 * 86400, samesite="lax")
    return response


def visitor_csrf(request: Request) -> str:
    """The visitor's CSRF token (double-submit cookie): the cookie's, or a new one."""
    token = request.cookies.get(VISITOR_CSRF_COOKIE, "")
    return token if 20 <= len(token) <= 64 else secrets.token_urlsafe(24)


def set_visitor_csrf(response: HTMLResponse, token: str, secure: bool) -> None:
    """Give the browser the visitor CSRF cookie the form's hidden field repeats."""
    response.set_cookie(VISITOR_CSRF_COOKIE, token, httponly=True, samesite="strict", secure=secure)


def visitor_csrf_ok(request: Request, posted: Any) -> bool:
    """The posted token equals the cookie's (constant-time)."""
    cookie = request.cookies.get(VISITOR_CSRF_COOKIE, "")
    if not isinstance(posted, str) or not cookie or len(posted) > 64:
        return False
    return hmac.compare_digest(cookie.encode(), posted.encode())


def error_page(request: Request, status_code: int, message: str) -> HTMLResponse:
    """One line a person can act on, never a traceback."""
    return page(request, "error.html", status_code=status_code, message=message)
