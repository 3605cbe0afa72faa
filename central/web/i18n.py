"""The words of the web pages in Chinese (the default) and English.

A page picks its locale from ``?lang=`` (remembered in a cookie); validation errors carry a
message key (``err.…``) that is looked up here, so a visitor reads every error in their
language.
"""

from __future__ import annotations

from collections.abc import Callable

LOCALES = ("zh_CN", "en")
DEFAULT_LOCALE = "zh_CN"

_WORDS: dict[str, tuple[str, str]] = {
    "site.title": ("校园入校报备", "Campus visit filing"),
    "lang.switch": ("English", "中文"),
    "visit.heading": ("访客入校报备", "File a visit to the campus"),
    "visit.rule": (
        "根据学校通知，校外人员须提前一天通过学校系统报备，经接洽单位和防疫办审批后，"
        "由接洽单位工作人员在校门接入。",
        "Under the campus notice, visitors file through the school's system at least one day"
        " ahead; after the host unit and the epidemic-control office approve, the host's staff"
        " collect them at the gate.",
    ),
    "field.name": ("姓名", "Full name"),
    "field.id_number": ("身份证号", "Resident ID number"),
    "field.phone": ("手机号", "Mobile phone"),
    "field.origin_region": ("来自地区", "Coming from (region)"),
    "field.host_unit": ("接洽单位", "Host unit"),
    "field.host_person_no": ("接洽人工号", "Host's staff number"),
    "field.visit_date": ("来访日期", "Visit date"),
    "field.gates": ("入校校门（不选表示任一校门）", "Gate(s) (none ticked: any gate)"),
    "field.reason": ("来访事由", "Reason for the visit"),
    "field.plate": ("车牌号（选填，驾车入校时填写）", "Vehicle plate (optional, if driving in)"),
    "field.region_pick": ("请选择", "Please choose"),
    "visit.submit": ("提交报备", "Submit"),
    "visit.filed": ("报备已提交", "Your visit is filed"),
    "visit.number": ("报备编号", "Filing number"),
    "visit.keep_link": (
        "请保存本页链接，凭此查看审批进度和入校凭证。",
        "Keep the link of this page: it shows the approval and, once approved, your slip.",
    ),
    "visit.status": ("审批状态", "Status"),
    "status.filed": ("待接洽单位审批", "Waiting for the host unit"),
    "status.host_approved": ("待防疫办审批", "Waiting for the epidemic-control office"),
    "status.approved": ("已批准", "Approved"),
    "status.refused": ("未通过", "Refused"),
    "status.withdrawn": ("已撤销", "Withdrawn"),
    "visit.slip": ("入校凭证", "Entry slip"),
    "visit.slip_hint": (
        "到校门时出示此二维码和健康码；接洽单位工作人员到校门接入。",
        "At the gate show this code and your health code; your host's staff will collect you.",
    ),
    "visit.print": ("打印凭证", "Printable slip"),
    "visit.filed_at": ("报备时间", "Filed at"),
    "visit.host_step": ("接洽单位审批", "Host unit's approval"),
    "visit.office_step": ("防疫办审批", "Office's approval"),
    "visit.refused_reason": ("未通过原因", "Why it was refused"),
    "visit.not_found": ("找不到这份报备", "No such filing"),
    "err.fix": ("请修改以下内容：", "Please correct the following:"),
    "err.required": ("必填", "required"),
    "err.invalid": ("格式不正确", "not valid"),
    "err.too_long": ("内容过长", "too long"),
    "err.control": ("含有不允许的字符", "contains characters that are not allowed"),
    "err.formula": ("不能以 = + - @ 开头", "may not start with = + - @"),
    "err.name": ("姓名只能包含文字、空格和 · . - '", "a name has letters, spaces and · . - ' only"),
    "err.id_checksum": (
        "身份证号不正确（18位，校验位不符）",
        "not a valid resident ID number (18 characters, check character wrong)",
    ),
    "err.phone": ("请填写11位手机号", "expected an 11-digit mainland mobile number"),
    "err.region": ("请从列表中选择地区", "choose a region from the list"),
    "err.person_no": ("工号格式不正确", "not a valid staff number"),
    "err.date": ("请填写日期", "expected a date"),
    "err.date_today": (
        "不能报备当天入校：学校通知要求提前一天报备，请选择明天或以后的日期。",
        "A visit for today cannot be filed: the campus notice requires filing one day ahead."
        " Please choose tomorrow or a later date.",
    ),
    "err.date_past": ("来访日期已过", "the visit date has passed"),
    "err.date_far": ("最多可提前30天报备", "at most 30 days ahead"),
    "err.gate": ("未知校门", "unknown gate"),
    "err.plate": (
        "车牌号格式不正确（如 豫A12345 或新能源 豫AD12345）",
        "not a valid plate (e.g. 豫A12345, or new-energy 豫AD12345)",
    ),
    "err.csrf": (
        "页面已过期，请刷新后重新提交。",
        "This page has expired; reload it and submit again.",
    ),
    "err.server": ("提交未成功，请稍后重试。", "The filing could not be saved; try again later."),
}


def translator(locale: str) -> Callable[[str], str]:
    """``t(key)`` for one locale; an unknown key is shown as itself."""
    index = 1 if locale == "en" else 0

    def t(key: str) -> str:
        words = _WORDS.get(key)
        return words[index] if words else key

    return t


def pick_locale(query: str | None, cookie: str | None) -> str:
    """The locale asked for in the query, else the remembered one, else Chinese."""
    for value in (query, cookie):
        if value in LOCALES:
            return str(value)
    return DEFAULT_LOCALE
