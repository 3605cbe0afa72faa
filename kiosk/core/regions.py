"""GB/T 2260 administrative region codes: six digits, province (2) + city (2) + county (2)."""

from __future__ import annotations


def is_region_code(code: str) -> bool:
    """True for a six-digit region code."""
    return len(code) == 6 and code.isdigit()


def enclosing_codes(code: str) -> list[str]:
    """The code itself and the city- and province-level codes that contain it."""
    if not is_region_code(code):
        return [code]
    out = [code, code[:4] + "00", code[:2] + "0000"]
    return list(dict.fromkeys(out))


def covers(area: str, visited: str) -> bool:
    """True when the listed ``area`` contains the ``visited`` region (same or enclosing)."""
    return area in enclosing_codes(visited)


def in_city(region: str, city_prefix: str) -> bool:
    """True when ``region`` lies in the city whose codes start with ``city_prefix``."""
    return region.startswith(city_prefix)
