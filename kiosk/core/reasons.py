"""Stable reason codes of decisions and the words people read for them (zh_CN first, en second)."""

from __future__ import annotations

from enum import StrEnum


class Reason(StrEnum):
    """Why a transaction was refused, held or flagged. Values never change once released."""

    # R0 credential readable, authentic, current
    CODE_UNREADABLE = "CODE_UNREADABLE"
    CODE_UNSUPPORTED = "CODE_UNSUPPORTED"
    CREDENTIAL_MALFORMED = "CREDENTIAL_MALFORMED"
    CREDENTIAL_INVALID_SIGNATURE = "CREDENTIAL_INVALID_SIGNATURE"
    CREDENTIAL_UNKNOWN_KEY = "CREDENTIAL_UNKNOWN_KEY"
    CREDENTIAL_EXPIRED = "CREDENTIAL_EXPIRED"
    CREDENTIAL_NOT_YET_VALID = "CREDENTIAL_NOT_YET_VALID"
    CREDENTIAL_MISSING = "CREDENTIAL_MISSING"
    ID_CARD_EXPIRED = "ID_CARD_EXPIRED"
    ID_CARD_HOLDER_MISMATCH = "ID_CARD_HOLDER_MISMATCH"
    # R1 health code
    HEALTH_CODE_NOT_GREEN = "HEALTH_CODE_NOT_GREEN"
    HEALTH_CODE_UNVERIFIED = "HEALTH_CODE_UNVERIFIED"
    HEALTH_CODE_REQUIRED = "HEALTH_CODE_REQUIRED"
    HEALTH_CODE_MISMATCH = "HEALTH_CODE_MISMATCH"
    HEALTH_CODE_CHECKING = "HEALTH_CODE_CHECKING"
    # R2 temperature
    FEVER = "FEVER"
    TEMPERATURE_INVALID = "TEMPERATURE_INVALID"
    TEMPERATURE_MISSING = "TEMPERATURE_MISSING"
    RETEST_REQUIRED = "RETEST_REQUIRED"
    # R3 risk areas
    RISK_AREA_TRAVEL = "RISK_AREA_TRAVEL"
    QUARANTINE_ACTIVE = "QUARANTINE_ACTIVE"
    # R4 / R5 visitors
    NOT_AUTHORIZED = "NOT_AUTHORIZED"
    NO_VISIT_APPROVAL = "NO_VISIT_APPROVAL"
    APPROVAL_FILED_LATE = "APPROVAL_FILED_LATE"
    APPROVAL_NOT_FOR_TODAY = "APPROVAL_NOT_FOR_TODAY"
    APPROVAL_NOT_FOR_GATE = "APPROVAL_NOT_FOR_GATE"
    APPROVAL_NOT_APPROVED = "APPROVAL_NOT_APPROVED"
    APPROVAL_HOLDER_MISMATCH = "APPROVAL_HOLDER_MISMATCH"
    # R6 escort
    ESCORT_REQUIRED = "ESCORT_REQUIRED"
    ESCORT_TIMEOUT = "ESCORT_TIMEOUT"
    ESCORT_INVALID = "ESCORT_INVALID"
    # R7 nucleic-acid test
    NAT_REQUIRED = "NAT_REQUIRED"
    NAT_EXPIRED = "NAT_EXPIRED"
    NAT_POSITIVE = "NAT_POSITIVE"
    # R8 categories
    CATEGORY_BANNED = "CATEGORY_BANNED"
    # R9 / R10 students over the break
    STUDENT_NO_STAY_APPROVAL = "STUDENT_NO_STAY_APPROVAL"
    STUDENT_NO_LEAVE = "STUDENT_NO_LEAVE"
    LEAVE_OVERDUE = "LEAVE_OVERDUE"
    # R11 / R12 check-in, contractors
    CHECKIN_MISSING = "CHECKIN_MISSING"
    CHECKIN_ABNORMAL = "CHECKIN_ABNORMAL"
    CONTRACTOR_NOT_REGISTERED = "CONTRACTOR_NOT_REGISTERED"
    # R13 staff travel
    UNAPPROVED_TRAVEL = "UNAPPROVED_TRAVEL"
    # R14 identity state
    PERSON_INACTIVE = "PERSON_INACTIVE"
    CREDENTIAL_REVOKED = "CREDENTIAL_REVOKED"
    CREDENTIAL_REPLAYED = "CREDENTIAL_REPLAYED"
    # R15 data freshness
    REGISTRY_STALE = "REGISTRY_STALE"
    CLOCK_UNTRUSTED = "CLOCK_UNTRUSTED"
    # R16 vehicles
    PLATE_INVALID = "PLATE_INVALID"
    VEHICLE_NOT_AUTHORIZED = "VEHICLE_NOT_AUTHORIZED"
    VEHICLE_INACTIVE = "VEHICLE_INACTIVE"
    VEHICLE_APPROVAL_NOT_APPROVED = "VEHICLE_APPROVAL_NOT_APPROVED"
    VEHICLE_APPROVAL_NOT_FOR_TODAY = "VEHICLE_APPROVAL_NOT_FOR_TODAY"
    VEHICLE_APPROVAL_NOT_FOR_GATE = "VEHICLE_APPROVAL_NOT_FOR_GATE"
    # transaction and guard
    GUARD_CONFIRMATION_REQUIRED = "GUARD_CONFIRMATION_REQUIRED"
    TIMEOUT = "TIMEOUT"
    SUPERSEDED = "SUPERSEDED"
    OVERRIDE_REFUSED = "OVERRIDE_REFUSED"
    DEVICE_FAULT = "DEVICE_FAULT"
    LOG_UNAVAILABLE = "LOG_UNAVAILABLE"
    OVERRIDDEN = "OVERRIDDEN"
    GUARD_CONFIRMED = "GUARD_CONFIRMED"


MESSAGES: dict[Reason, tuple[str, str]] = {
    Reason.CODE_UNREADABLE: ("无法识别的二维码", "The code could not be read"),
    Reason.CODE_UNSUPPORTED: ("不支持的二维码", "This kind of code is not accepted here"),
    Reason.CREDENTIAL_MALFORMED: ("二维码内容格式错误", "The code's content is malformed"),
    Reason.CREDENTIAL_INVALID_SIGNATURE: ("二维码签名无效", "The code's signature is not valid"),
    Reason.CREDENTIAL_UNKNOWN_KEY: ("二维码签发者未知", "The code was signed by an unknown issuer"),
    Reason.CREDENTIAL_EXPIRED: ("二维码已过期,请刷新", "The code has expired; please refresh it"),
    Reason.CREDENTIAL_NOT_YET_VALID: ("二维码尚未生效", "The code is not valid yet"),
    Reason.CREDENTIAL_MISSING: (
        "请出示校园通行码或健康码",
        "Please show your campus pass or health code",
    ),
    Reason.ID_CARD_EXPIRED: ("身份证已过有效期", "The ID card has expired"),
    Reason.ID_CARD_HOLDER_MISMATCH: (
        "身份证与健康码或审批不是同一人",
        "The ID card belongs to someone other than the code's or approval's holder",
    ),
    Reason.HEALTH_CODE_NOT_GREEN: ("健康码非绿码", "Health code is not green"),
    Reason.HEALTH_CODE_UNVERIFIED: ("健康码无法核验", "Health code could not be verified"),
    Reason.HEALTH_CODE_REQUIRED: ("请出示健康码", "Please show your health code"),
    Reason.HEALTH_CODE_MISMATCH: ("健康码与审批人不符", "Health code does not match the approval"),
    Reason.HEALTH_CODE_CHECKING: ("正在联网核验健康码", "Checking the health code online"),
    Reason.FEVER: (
        "体温异常,请到临时观察点复测",
        "Temperature too high; please go to the observation point",
    ),
    Reason.TEMPERATURE_INVALID: (
        "测温无效,请靠近重测",
        "Temperature reading invalid; please measure again",
    ),
    Reason.TEMPERATURE_MISSING: ("未测体温", "Temperature not measured"),
    Reason.RETEST_REQUIRED: ("请稍候复测体温", "Please wait and measure again"),
    Reason.RISK_AREA_TRAVEL: (
        "14天内到过中高风险地区",
        "Visited a medium/high-risk area within 14 days",
    ),
    Reason.QUARANTINE_ACTIVE: ("隔离措施未解除", "Quarantine not yet lifted"),
    Reason.NOT_AUTHORIZED: ("无关人员禁止入校", "Not authorised to enter"),
    Reason.NO_VISIT_APPROVAL: ("无入校审批", "No visit approval"),
    Reason.APPROVAL_FILED_LATE: ("审批未提前一日报备", "Approval was not filed a day ahead"),
    Reason.APPROVAL_NOT_FOR_TODAY: ("审批日期不是今天", "Approval is not for today"),
    Reason.APPROVAL_NOT_FOR_GATE: ("审批不含本校门", "Approval is not for this gate"),
    Reason.APPROVAL_NOT_APPROVED: ("审批未通过", "Approval has not been granted"),
    Reason.APPROVAL_HOLDER_MISMATCH: ("审批人与证件不符", "Approval belongs to someone else"),
    Reason.ESCORT_REQUIRED: ("请接洽单位工作人员到校门接入", "Host staff must collect the visitor"),
    Reason.ESCORT_TIMEOUT: ("接洽人员未在规定时间内到达", "Host staff did not arrive in time"),
    Reason.ESCORT_INVALID: ("接洽人员不符", "This pass cannot escort the visitor"),
    Reason.NAT_REQUIRED: (
        "需48小时内核酸阴性证明",
        "Negative nucleic-acid test within 48 h required",
    ),
    Reason.NAT_EXPIRED: ("核酸检测已超过48小时", "Nucleic-acid test older than 48 h"),
    Reason.NAT_POSITIVE: ("核酸检测阳性", "Nucleic-acid test positive"),
    Reason.CATEGORY_BANNED: (
        "临时快递、外卖人员不得入校",
        "Temporary couriers and delivery riders may not enter",
    ),
    Reason.STUDENT_NO_STAY_APPROVAL: (
        "寒假留校未审批",
        "No approval to stay on campus over the break",
    ),
    Reason.STUDENT_NO_LEAVE: ("无请假审批,不得离校", "No approved leave to go out"),
    Reason.LEAVE_OVERDUE: ("超假返校", "Returned after the leave ended"),
    Reason.CHECKIN_MISSING: ("今日未健康打卡", "No health check-in today"),
    Reason.CHECKIN_ABNORMAL: ("今日健康打卡异常", "Today's health check-in reports a problem"),
    Reason.CONTRACTOR_NOT_REGISTERED: ("校内用工人员未登记", "Contractor not registered"),
    Reason.UNAPPROVED_TRAVEL: ("未经审批离郑", "Left the city without approval"),
    Reason.PERSON_INACTIVE: ("人员已停用", "Person no longer active"),
    Reason.CREDENTIAL_REVOKED: ("通行证已注销", "Pass revoked"),
    Reason.CREDENTIAL_REPLAYED: ("通行码已被使用", "This code was already used"),
    Reason.REGISTRY_STALE: (
        "名单数据过旧,需保安确认",
        "Registry data is out of date; guard must confirm",
    ),
    Reason.CLOCK_UNTRUSTED: ("时钟不可信,需保安确认", "Clock untrusted; guard must confirm"),
    Reason.PLATE_INVALID: ("车牌号格式不正确", "That is not a valid number plate"),
    Reason.VEHICLE_NOT_AUTHORIZED: (
        "无关车辆禁止入校",
        "Vehicle not on the campus list or an approved visit: no entry",
    ),
    Reason.VEHICLE_INACTIVE: ("车辆已停用或登记已过期", "Vehicle registration inactive or expired"),
    Reason.VEHICLE_APPROVAL_NOT_APPROVED: (
        "车辆所属审批未通过",
        "The visit for this vehicle is not approved",
    ),
    Reason.VEHICLE_APPROVAL_NOT_FOR_TODAY: (
        "车辆所属审批不是今天",
        "The visit for this vehicle is not for today",
    ),
    Reason.VEHICLE_APPROVAL_NOT_FOR_GATE: (
        "车辆所属审批不含本校门",
        "The visit for this vehicle is not for this gate",
    ),
    Reason.GUARD_CONFIRMATION_REQUIRED: ("需保安确认", "Guard confirmation required"),
    Reason.TIMEOUT: ("等待超时", "Timed out"),
    Reason.SUPERSEDED: ("下一位已扫码,本次未完成", "Next person scanned before this one finished"),
    Reason.OVERRIDE_REFUSED: ("人工放行被拒绝", "Override refused"),
    Reason.DEVICE_FAULT: ("设备故障", "Device fault"),
    Reason.LOG_UNAVAILABLE: (
        "记录无法保存，不能放行",
        "The decision could not be logged: not admitted",
    ),
    Reason.OVERRIDDEN: ("保安人工放行", "Admitted by guard override"),
    Reason.GUARD_CONFIRMED: (
        "保安核查确认后放行",
        "Admitted after the guard checked and confirmed",
    ),
}


def message(reason: Reason | str, locale: str = "zh_CN") -> str:
    """The text a person reads for ``reason`` in ``locale`` (zh_CN or en)."""
    try:
        zh, en = MESSAGES[Reason(reason)]
    except (ValueError, KeyError):
        return str(reason)
    return en if locale.startswith("en") else zh
