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


# Names of the regions a visitor can pick when filing (GB/T 2260): every province-level
# division, the cities of Henan and the districts and county-level cities of Zhengzhou.
# A visitor from elsewhere picks their province; R7 only needs to know "outside the city".
PROVINCES: dict[str, tuple[str, str]] = {
    "110000": ("北京市", "Beijing"),
    "120000": ("天津市", "Tianjin"),
    "130000": ("河北省", "Hebei"),
    "140000": ("山西省", "Shanxi"),
    "150000": ("内蒙古自治区", "Inner Mongolia"),
    "210000": ("辽宁省", "Liaoning"),
    "220000": ("吉林省", "Jilin"),
    "230000": ("黑龙江省", "Heilongjiang"),
    "310000": ("上海市", "Shanghai"),
    "320000": ("江苏省", "Jiangsu"),
    "330000": ("浙江省", "Zhejiang"),
    "340000": ("安徽省", "Anhui"),
    "350000": ("福建省", "Fujian"),
    "360000": ("江西省", "Jiangxi"),
    "370000": ("山东省", "Shandong"),
    "410000": ("河南省", "Henan"),
    "420000": ("湖北省", "Hubei"),
    "430000": ("湖南省", "Hunan"),
    "440000": ("广东省", "Guangdong"),
    "450000": ("广西壮族自治区", "Guangxi"),
    "460000": ("海南省", "Hainan"),
    "500000": ("重庆市", "Chongqing"),
    "510000": ("四川省", "Sichuan"),
    "520000": ("贵州省", "Guizhou"),
    "530000": ("云南省", "Yunnan"),
    "540000": ("西藏自治区", "Tibet"),
    "610000": ("陕西省", "Shaanxi"),
    "620000": ("甘肃省", "Gansu"),
    "630000": ("青海省", "Qinghai"),
    "640000": ("宁夏回族自治区", "Ningxia"),
    "650000": ("新疆维吾尔自治区", "Xinjiang"),
    "710000": ("台湾省", "Taiwan"),
    "810000": ("香港特别行政区", "Hong Kong"),
    "820000": ("澳门特别行政区", "Macao"),
}
HENAN_CITIES: dict[str, tuple[str, str]] = {
    "410100": ("郑州市", "Zhengzhou"),
    "410200": ("开封市", "Kaifeng"),
    "410300": ("洛阳市", "Luoyang"),
    "410400": ("平顶山市", "Pingdingshan"),
    "410500": ("安阳市", "Anyang"),
    "410600": ("鹤壁市", "Hebi"),
    "410700": ("新乡市", "Xinxiang"),
    "410800": ("焦作市", "Jiaozuo"),
    "410900": ("濮阳市", "Puyang"),
    "411000": ("许昌市", "Xuchang"),
    "411100": ("漯河市", "Luohe"),
    "411200": ("三门峡市", "Sanmenxia"),
    "411300": ("南阳市", "Nanyang"),
    "411400": ("商丘市", "Shangqiu"),
    "411500": ("信阳市", "Xinyang"),
    "411600": ("周口市", "Zhoukou"),
    "411700": ("驻马店市", "Zhumadian"),
}
ZHENGZHOU_COUNTIES: dict[str, tuple[str, str]] = {
    "410102": ("中原区", "Zhongyuan District"),
    "410103": ("二七区", "Erqi District"),
    "410104": ("管城回族区", "Guancheng District"),
    "410105": ("金水区", "Jinshui District"),
    "410106": ("上街区", "Shangjie District"),
    "410108": ("惠济区", "Huiji District"),
    "410122": ("中牟县", "Zhongmu County"),
    "410181": ("巩义市", "Gongyi"),
    "410182": ("荥阳市", "Xingyang"),
    "410183": ("新密市", "Xinmi"),
    "410184": ("新郑市", "Xinzheng"),
    "410185": ("登封市", "Dengfeng"),
}
REGION_NAMES: dict[str, tuple[str, str]] = {**PROVINCES, **HENAN_CITIES, **ZHENGZHOU_COUNTIES}
"""Every pickable region code → (Chinese name, English name)."""


def region_name(code: str, locale: str = "zh_CN") -> str:
    """The name of a pickable region with its enclosing ones (``河南省 郑州市 金水区``); the
    code itself when it is not in the picker's list."""
    parts = [REGION_NAMES[c] for c in reversed(enclosing_codes(code)) if c in REGION_NAMES]
    if not parts or code not in REGION_NAMES:
        return code
    index = 1 if locale.startswith("en") else 0
    return " ".join(p[index] for p in parts)
