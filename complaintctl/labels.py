"""Every user-visible label in English and Chinese, and the parsing of choices typed in either.

Choices are parsed here so that `一般`, `General` and ` general ` all mean Tier.GENERAL, and an
unknown value gets the same one-line error whichever language it was typed in.
"""
from __future__ import annotations

import re
from enum import StrEnum
from typing import TypeVar

from . import domain as d
from .errors import ComplaintctlError, IllegalMove, InvalidValue, NotPermitted

LANGS = ("en", "zh")
# What ends `complaintctl shell`, in either language.
SHELL_EXIT = ("exit", "quit", "退出")
SHELL_HELP = ("help", "?", "帮助")  # and `help COMMAND`: that command's --help

# enum value -> (English, Chinese, extra Chinese/English aliases accepted on input)
CHOICES: dict[type[StrEnum], dict[str, tuple[str, str, tuple[str, ...]]]] = {
    d.Tier: {
        "general": ("General", "一般投诉", ("一般",)),
        "important": ("Important", "重要投诉", ("重要",)),
        "urgent": ("Urgent", "紧急投诉", ("紧急",)),
    },
    d.Status: {
        "received": ("Received", "已受理", ("受理", "已登记")),
        "assigned": ("Assigned", "已分派", ("分派", "已分配")),
        "in_progress": ("In progress", "处理中", ("in progress",)),
        "paused": ("Paused", "已中止", ("中止", "暂停")),
        "resolved": ("Resolved", "已办结", ("办结", "已解决")),
        "closed": ("Closed", "已关闭", ("关闭", "已结案")),
        "reopened": ("Reopened", "已重开", ("重开", "重启", "已重启", "重新处理")),
        "withdrawn": ("Withdrawn", "已撤回", ("撤回", "撤诉")),
        "under_review": ("Under review", "核查中", ("under review",)),
        "reviewed": ("Reviewed", "已核查", ()),
    },
    d.IdType: {
        "resident_id": ("Resident identity card", "居民身份证", ("身份证",)),
        "passport": ("Passport", "护照", ()),
        "hk_macao_permit": ("Mainland travel permit (Hong Kong, Macao)", "港澳居民来往内地通行证", ("回乡证",)),
        "taiwan_permit": ("Mainland travel permit (Taiwan)", "台湾居民来往大陆通行证", ("台胞证",)),
        "foreign_residence": ("Foreign permanent residence ID", "外国人永久居留身份证", ()),
        "other": ("Other", "其他", ()),
    },
    d.Relief: {
        "review": ("Review by the higher level", "向上级机构申请核查", ("核查",)),
        "mediation": ("Mediation", "调解", ()),
        "arbitration": ("Arbitration", "仲裁", ()),
        "litigation": ("Litigation", "诉讼", ()),
    },
    d.ReviewOutcome: {
        "upheld": ("Decision upheld", "维持原处理决定", ("维持",)),
        "changed": ("Decision changed", "变更原处理决定", ("变更",)),
    },
    d.Channel: {
        "hotline": ("Service hotline", "客服热线", ("热线", "电话")),
        "online_banking": ("Online banking", "网上银行", ("网银",)),
        "mobile_app": ("Mobile banking", "手机银行", ("mobile banking", "手机")),
        "branch_counter": ("Branch counter", "营业网点", ("柜面", "网点", "counter", "branch")),
        "suggestion_box": ("Suggestion box", "意见箱", ("意见簿",)),
        "letter": ("Letter", "信函", ("来信",)),
        "email": ("E-mail", "电子邮件", ("邮件",)),
        "regulator_referral": ("Regulator referral", "监管转办", ("监管转送", "regulator")),
        "other": ("Other", "其他", ()),
    },
    d.Product: {
        "deposit": ("Deposits", "存款", ()),
        "wealth_management": ("Wealth management", "理财", ("理财产品",)),
        "fund": ("Funds", "基金", ()),
        "insurance_agency": ("Insurance (agency)", "代理保险", ("保险",)),
        "loan": ("Loans", "贷款", ()),
        "credit_card": ("Credit cards", "信用卡", ("card",)),
        "payment": ("Payments and settlement", "支付结算", ("支付",)),
        "forex": ("Foreign exchange", "外汇", ()),
        "other": ("Other", "其他", ()),
    },
    d.Category: {
        "service_attitude": ("Service attitude", "服务态度", ("服务质量",)),
        "misselling": ("Mis-selling", "误导销售", ("营销", "mis-selling")),
        "disclosure": ("Disclosure", "信息披露", ()),
        "fees": ("Fees and pricing", "收费", ("定价收费", "费用")),
        "product_return": ("Product returns", "产品收益", ("收益",)),
        "contract_terms": ("Contract terms", "合同条款", ()),
        "fund_safety": ("Safety of funds", "资金安全", ()),
        "information_security": ("Information security", "信息安全", ()),
        "system_failure": ("System failure", "系统故障", ()),
        "debt_collection": ("Debt collection", "债务催收", ("催收",)),
        "other": ("Other", "其他", ()),
    },
    d.Role: {
        "staff": ("Front-line staff", "一线员工", ("员工",)),
        "manager": ("Manager", "中层管理人员", ("经理", "中层")),
        "executive": ("Executive", "高级管理人员", ("高管",)),
        "admin": ("Administrator", "系统管理员", ("管理员",)),
        "system": ("Service account", "系统账户", ("服务账户",)),
    },
    d.PauseReason: {
        "customer_materials": ("Awaiting customer's materials", "等待客户补充材料", ("补充材料",)),
        "appraisal": ("External appraisal or testing", "鉴定或检测", ("鉴定", "检测")),
        "other": ("Other", "其他", ()),
    },
    d.NotifiedVia: {
        "phone": ("Phone", "电话", ()),
        "sms": ("SMS", "短信", ()),
        "letter": ("Letter", "信函", ()),
        "in_person": ("In person", "当面", ("面谈",)),
        "email": ("E-mail", "电子邮件", ("邮件",)),
    },
    d.Satisfaction: {
        "satisfied": ("Satisfied", "满意", ()),
        "unsatisfied": ("Unsatisfied", "不满意", ()),
        "no_response": ("No response", "未回复", ("无回应",)),
    },
    d.Action: {
        "log": ("Logged", "登记", ()),
        "import": ("Imported", "导入", ()),
        "assign": ("Assigned", "分派", ()),
        "escalate": ("Escalated", "升级", ()),
        "respond": ("Responded", "答复", ()),
        "note": ("Follow-up", "跟进", ()),
        "pause": ("Paused", "中止", ()),
        "resume": ("Resumed", "恢复", ()),
        "extend": ("Extended", "延期", ()),
        "resolve": ("Resolved", "办结", ()),
        "reopen": ("Reopened", "重开", ("重启",)),
        "close": ("Closed", "关闭", ()),
        "withdraw": ("Withdrawn", "撤回", ()),
        "repeat": ("Repeat complaint", "重复投诉", ()),
        "review": ("Review requested", "申请核查", ()),
        "review_decide": ("Review decided", "核查决定", ()),
        "reveal": ("Personal data revealed", "查看个人信息", ()),
        "purge": ("Personal data anonymised", "个人信息匿名化", ()),
        "staff_add": ("Staff added", "新增员工", ()),
        "staff_deactivate": ("Staff deactivated", "员工停用", ()),
        "staff_reactivate": ("Staff reactivated", "员工恢复启用", ()),
        "staff_role": ("Staff role changed", "员工角色变更", ()),
        "masking": ("Masking policy changed", "脱敏策略变更", ()),
        "extension_request": ("Extension requested", "申请延期", ()),
        "action_add": ("Remediation action added", "新增整改措施", ()),
        "action_done": ("Remediation action done", "整改措施完成", ()),
        "letter": ("Decision letter produced", "出具处理决定告知书", ()),
        "regions": ("Branch regions recorded", "登记网点所属地区", ()),
        "rules": ("Deadline rules recorded", "登记时限规则", ()),
    },
    d.ActionStatus: {
        "open": ("Open", "整改中", ()),
        "done": ("Done", "已完成", ()),
    },
}

# The field names a user types, as used by `choices FIELD` and in error messages.
FIELDS: dict[str, type[StrEnum]] = {
    "tier": d.Tier,
    "status": d.Status,
    "channel": d.Channel,
    "product": d.Product,
    "category": d.Category,
    "role": d.Role,
    "pause_reason": d.PauseReason,
    "notified_via": d.NotifiedVia,
    "satisfaction": d.Satisfaction,
    "review_outcome": d.ReviewOutcome,
    "id_type": d.IdType,
    "relief": d.Relief,
}

# JR/T 0169-2018 《金融消费者投诉统计分类及编码 银行业金融机构》 (PBoC, 2018-09-04): A the channel the
# complained-of business went through, B the business type, C the reason. code -> (English, Chinese,
# where the code comes from). "standard": the class name and its place in the list are as public
# summaries of the standard give them; "unverified": a class name the standard uses (it appears in
# banks' published pick-lists), numbered here in the order those lists give, not checked against the
# standard's text. A bank corrects or extends any of them in config ([codes]); see README.
JRT_0169: dict[str, tuple[str, str, str]] = {
    "A01": ("Front-office channels", "前台业务渠道", "standard"),
    "A0101": ("Business premises", "营业现场", "standard"),
    "A0102": ("Self-service machines", "自助机具", "standard"),
    "A0103": ("Electronic channels", "电子渠道", "standard"),
    "A01031": ("Online banking", "网银", "standard"),
    "A01032": ("Telephone", "电话", "standard"),
    "A01033": ("Mobile client", "移动客户端", "standard"),
    "A01034": ("Online public platforms", "网络公众平台", "standard"),
    "A01035": ("SMS", "短信", "standard"),
    "A01039": ("Other electronic channels", "其他电子渠道", "standard"),
    "A0104": ("Third-party channels", "第三方渠道", "standard"),
    "A0199": ("Other front-office channels", "其他前台渠道", "standard"),
    "A02": ("Middle and back-office channels", "中、后台业务渠道", "standard"),
    "B01": ("RMB savings", "人民币储蓄", "standard"),
    "B02": ("Loans", "贷款", "standard"),
    "B03": ("Bank cards", "银行卡", "standard"),
    "B04": ("Payment and settlement", "支付结算", "standard"),
    "B05": ("RMB cash management", "人民币管理", "standard"),
    "B06": ("Personal financial information", "个人金融信息", "standard"),
    "B07": ("Foreign exchange", "外汇", "unverified"),
    "B08": ("Own wealth management", "自营理财", "unverified"),
    "B09": ("Agency business (funds, insurance)", "银行代理业务", "unverified"),
    "B10": ("Precious metals", "贵金属", "unverified"),
    "B11": ("State treasury", "国库", "unverified"),
    "B12": ("Debt collection", "债务催收", "unverified"),
    "B13": ("Other intermediary business", "其他中间业务", "unverified"),
    "B99": ("Other", "其他", "standard"),
    "C01": ("Service attitude and quality", "服务态度及服务质量", "standard"),
    "C02": ("Facilities, equipment and business systems", "金融机构服务设施、设备、业务系统", "standard"),
    "C03": ("Management rules, business rules and procedures", "金融机构管理制度、业务规则与流程", "standard"),
    "C04": ("Marketing methods and means", "营销方式和手段", "standard"),
    "C05": ("Information disclosure", "信息披露", "standard"),
    "C06": ("Product returns", "产品收益", "standard"),
    "C07": ("Freedom of choice", "自主选择权", "standard"),
    "C08": ("Contract terms", "合同条款", "standard"),
    "C09": ("Safety of consumers' funds", "消费者资金安全", "standard"),
    "C10": ("Security of consumers' information", "消费者信息安全", "standard"),
    "C11": ("Pricing and fees", "定价收费", "unverified"),
    "C12": ("Debt collection methods and means", "债务催收方式和手段", "unverified"),
    "C99": ("Other", "其他", "standard"),
}

# Each choice's JR/T 0169 code. The tool's channel is how the complaint came in; A is where the
# complained-of business was done: the nearest class is given (a letter or a regulator's referral
# says nothing about it, hence "other").
JRT_0169_DEFAULT: dict[str, dict[str, str]] = {
    "channel": {
        "hotline": "A01032", "online_banking": "A01031", "mobile_app": "A01033", "branch_counter": "A0101",
        "suggestion_box": "A0101", "letter": "A0199", "email": "A01039", "regulator_referral": "A0199",
        "other": "A0199",
    },
    "product": {
        "deposit": "B01", "wealth_management": "B08", "fund": "B09", "insurance_agency": "B09", "loan": "B02",
        "credit_card": "B03", "payment": "B04", "forex": "B07", "other": "B99",
    },
    "category": {
        "service_attitude": "C01", "misselling": "C04", "disclosure": "C05", "fees": "C11",
        "product_return": "C06", "contract_terms": "C08", "fund_safety": "C09", "information_security": "C10",
        "system_failure": "C02", "debt_collection": "C12", "other": "C99",
    },
}
JRT_0169_LETTER = {"channel": "A", "product": "B", "category": "C"}

E = TypeVar("E", bound=StrEnum)


def _fold(text: str) -> str:
    import unicodedata  # full-width letters (a Chinese input method's ＵＲＧＥＮＴ) read as the letters

    return " ".join(unicodedata.normalize("NFKC", text).strip().casefold().replace("_", " ").replace("-", " ").split())


_INDEX: dict[type[StrEnum], dict[str, str]] = {}


def _index(enum: type[StrEnum]) -> dict[str, str]:
    idx = _INDEX.get(enum)
    if idx is None:
        idx = {}
        for key, (en, zh, aliases) in CHOICES[enum].items():
            for name in (key, en, zh, *aliases):
                idx.setdefault(_fold(name), key)
        _INDEX[enum] = idx
    return idx


def accepted(enum: type[StrEnum], lang: str = "en") -> str:
    """The accepted values of a choice, as shown in error messages: each key with its Chinese name."""
    if lang == "zh":
        return "、".join(f"{k}（{v[1]}）" for k, v in CHOICES[enum].items())
    return ", ".join(f"{k} ({v[1]})" for k, v in CHOICES[enum].items())


def split_list(text: str) -> list[str]:
    """A list typed with commas, the Chinese full-width comma (，) or the enumeration comma (、)."""
    return [part.strip() for part in re.split(r"[,，、]", text) if part.strip()]


def typed_choice(text: object, names=()) -> str:
    """A value typed where a choice belongs, as an error line may quote it (masking.mask_choice): a
    near miss of `names` (or of their English or Chinese names in TEXT) or of any of the tool's
    choices is shown as typed, a name masked."""
    from .masking import mask_choice

    named = [n for name in names for n in (name, *TEXT.get(name, ()))]
    return mask_choice(str(text), (*named, *_every_choice()))


def _every_choice() -> tuple[str, ...]:
    """Every name of every choice (folded, as _index keys them)."""
    if not _EVERY:
        _EVERY.extend(name for enum in CHOICES for name in _index(enum))
    return tuple(_EVERY)


_EVERY: list[str] = []


def names_a_choice(text: str) -> bool:
    """Whether `text` is one of the tool's choices (of any kind), as parse reads a choice."""
    folded = _fold(text)
    return any(folded in _index(enum) for enum in CHOICES)


def parse(enum: type[E], text: str | None, field: str) -> E:
    """Parse an English key, English label or Chinese name into the enum member."""
    if text is None:
        raise InvalidValue(field, "", "acc.one_of", choices=enum)
    key = _index(enum).get(_fold(str(text)))
    if key is None:
        raise InvalidValue(field, typed_choice(text), "acc.one_of", choices=enum)
    return enum(key)


def label(value: StrEnum | str | None, lang: str = "en", enum: type[StrEnum] | None = None) -> str:
    """The display label of an enum value in `lang`; unknown values are shown as they are."""
    if value is None:
        return ""
    enum = enum or type(value)
    entry = CHOICES.get(enum, {}).get(str(value))
    if entry is None:
        return str(value)
    return entry[1] if lang == "zh" else entry[0]


# Column headers, report titles and messages -------------------------------------------------

TEXT: dict[str, tuple[str, str]] = {
    "reference": ("Reference", "编号"),
    "id": ("ID", "序号"),
    "status": ("State", "状态"),
    "tier": ("Tier", "等级"),
    "channel": ("Channel", "渠道"),
    "product": ("Product", "产品"),
    "category": ("Category", "类别"),
    "branch": ("Branch", "网点"),
    "department": ("Department", "部门"),
    "assignee": ("Assignee", "经办人"),
    "customer": ("Customer", "客户"),
    "phone": ("Phone", "电话"),
    "email": ("E-mail", "电子邮件"),
    "account": ("Account", "账户"),
    "description": ("Description", "投诉内容"),
    "received_at": ("Received", "受理时间"),
    "due_at": ("Due", "处理时限"),
    "regulatory_due_at": ("Regulatory due", "监管时限"),
    "first_response_due_at": ("Plan due", "初步方案时限"),
    "holiday.local_closure": ("local closure", "本行自定休息日"),
    "cycles": ("Cycles", "处理周期"),
    "reference_kept": ("Reference kept", "沿用原编号"),
    "source.default": ("default", "默认值"),
    "source.locale": ("locale", "系统语言环境"),
    "source.database": ("database", "数据库"),
    "source.file": ("config file", "配置文件"),
    "source.file_is": ("config file: {path}", "配置文件：{path}"),
    "review_request_ends_at": ("Review asked for by", "申请核查截止"),
    "review_due_at": ("Review due", "核查时限"),
    "first_responded_at": ("First response", "首次答复时间"),  # for an urgent case, its initial plan
    "followup_due_at": ("Follow-up due", "跟进时限"),
    "resolved_at": ("Resolved", "办结时间"),
    "closed_at": ("Closed", "关闭时间"),
    "reopen_count": ("Reopened", "重开次数"),
    "repeat_count": ("Repeats", "重复投诉次数"),
    "withdrawn_at": ("Withdrawn", "撤回时间"),
    "col.withdrawn": ("Withdrawn", "已撤回"),
    "regulatory_period_days": ("Regulatory period", "监管时限"),
    "extended_days": ("extended to {n} days from receipt", "延长至受理后 {n} 日"),
    "opened_by": ("Opened by", "起因"),
    "opened_by.log": ("complaint", "受理投诉"),
    "opened_by.reopen": ("reopen", "重开"),
    "opened_by.new_facts": ("new facts", "新事实或新理由"),
    "opened_by.review": ("review", "核查"),
    "review": ("Review", "核查"),
    "id_document": ("Identity document", "身份证件"),
    "co_handlers": ("Co-handlers", "协办人员"),
    "departments": ("Departments", "协办部门"),
    "agent": ("Agent (power of attorney)", "代理人（授权委托书）"),
    # What an event records, by its key, as show's timeline names it.
    "agent_name": ("Agent", "代理人"),
    "agent_authority": ("Power of attorney", "授权委托书"),
    "id_type": ("Identity document type", "证件类型"),
    "id_number": ("Identity document number", "证件号码"),
    "to": ("Extended to (days)", "延长至（日）"),
    "decided_by": ("Decided by", "决定人"),
    "complained_staff": ("Staff complained about", "被投诉人员"),
    "request": ("Request", "投诉请求"),
    "decided_at": ("Decided", "作出决定时间"),
    "decision_facts": ("Facts found", "认定事实"),
    "decision_basis": ("Basis", "处理依据"),
    "relief": ("Routes of relief", "救济途径"),
    "notified_via": ("Told via", "告知方式"),
    "col.repeats": ("Repeats", "重复投诉"),
    "overdue_by": ("Overdue by", "超时"),
    "overdue_by_calendar": ("Overdue by (calendar)", "超时（自然时间）"),
    "time_left": ("Time left", "剩余时间"),
    "stale": ("Stale", "未跟进"),
    "breach": ("Breach", "超时类型"),
    "name": ("Name", "姓名"),
    "role": ("Role", "角色"),
    "login": ("Login", "登录账户"),
    "active": ("Active", "在职"),
    "when": ("When", "时间"),
    "recorded_at": ("Recorded", "记录时间"),
    "occurred_at": ("Happened", "发生时间"),
    "language.en": ("English", "英文"),
    "language.zh": ("Chinese", "中文"),
    "deadline": ("Deadline passed", "已过时限"),
    "recorded_after_seconds": ("Recorded after it by", "时限届满后录入"),
    "title.late_entries_tab": ("Late entries", "补录步骤"),  # (a workbook's tab: 31 characters at most)
    "title.late_entries": ("Steps recorded after a deadline they are dated before",
                           "时限届满后补录、且所记日期早于该时限的处理步骤"),
    "late_entries.none": ("No step was recorded after a deadline it is dated before.",
                          "没有在时限届满后补录、且所记日期早于该时限的处理步骤。"),
    "actor": ("By", "操作人"),
    "action": ("Action", "操作"),
    "detail": ("Detail", "详情"),
    "count": ("Count", "数量"),
    "total": ("Total", "合计"),
    "date": ("Date", "日期"),
    "weekday": ("Weekday", "星期"),
    "kind": ("Kind", "类型"),
    "holiday": ("Holiday", "节假日"),
    "key": ("Key", "键"),
    "value": ("Value", "值"),
    "source": ("Source", "来源"),
    "chinese": ("Chinese", "中文"),
    "english": ("English", "英文"),
    "jrt_code": ("JR/T 0169 code", "JR/T 0169 编码"),
    "jrt_name": ("JR/T 0169 class", "JR/T 0169 分类"),
    "code": ("Code", "编码"),
    "code_source": ("Source", "来源"),
    "code.standard": ("JR/T 0169-2018", "JR/T 0169-2018"),
    "code.unverified": ("JR/T 0169-2018 name; number unverified", "JR/T 0169-2018 名称；编号未经核对"),
    "code.bank": ("the bank's own", "本行自定义"),
    "field": ("Field", "字段"),
    "resolution": ("Resolution", "处理结果"),
    "anonymised": ("Anonymised", "已匿名化"),  # a purge event's fields
    "anonymised.value": ("[anonymised]", "[已匿名化]"),  # what `db purge` left where a name or text was
    "texts_erased": ("Full texts erased", "已删除的完整文本"),
    "root_cause": ("Root cause", "根本原因"),
    "satisfaction": ("Satisfaction", "满意度"),
    "title.cases": ("Complaint cases", "投诉案件"),
    # A workbook's title (its properties and atop each printed page): when it was true, as it is read later.
    "title.as_of": ("{title} as of {when}", "截至 {when} {title}"),
    "title.filtered": ("{title} ({filters})", "{title}（{filters}）"),
    "filter.is": ("{name}: {value}", "{name}：{value}"),
    "filter.sep": ("; ", "；"),
    "filter.overdue": ("overdue", "已超时"),
    "filter.due_soon": ("due soon", "即将到期"),
    "filter.stale": ("urgent without a follow-up in time", "紧急投诉未按时跟进"),
    "filter.all": ("resolved and closed included", "含已办结及已关闭"),
    "title.received": ("{title} received {window}", "{title}（受理时间 {window}）"),
    "title.received_from": ("{title} received from {when}", "{title}（受理时间 {when} 起）"),
    "title.received_to": ("{title} received up to {when}", "{title}（受理时间至 {when}）"),
    "title.overdue": ("Overdue complaints", "超时投诉"),
    "title.overdue_due_soon": ("Overdue and due-soon complaints", "超时及即将到期投诉"),
    "title.due_soon": ("Complaints due soon", "即将到期投诉"),
    "title.staff": ("Staff", "员工"),
    "title.timeline": ("Timeline", "处理记录"),
    "title.calendar": ("Business calendar", "工作日历"),
    "title.config": ("Effective configuration", "当前配置"),
    "title.choices": ("Choices", "可选值"),
    "title.sla": ("SLA compliance", "时限达标情况"),
    "title.aging": ("Open cases by age (working days)", "未结投诉账龄（工作日）"),
    "title.aging_tab": ("Open cases by age", "未结投诉账龄"),  # (a workbook's tab: 31 characters at most)
    "title.aging_as_of": ("Open cases by age (working days) as of {when}", "截至 {when} 未结投诉账龄（工作日）"),
    "title.summary": ("Complaints received", "投诉受理统计"),
    "title.escalation": ("Automatic escalation", "自动升级"),
    "title.actions": ("Remediation actions", "溯源整改措施"),
    "msg.written": ("written to {path}", "已写入 {path}"),
    "title.monthly": ("Complaints management report {month}", "{month} 消费投诉管理月报"),
    "monthly.window": ("Received {lo} to {hi}; figures as of {as_of}", "统计期间 {lo} 至 {hi}；数据截至 {as_of}"),
    "monthly.volume": ("Volume", "投诉量"),
    "monthly.received": ("Complaints received this month: {n} (previous month {p})", "本月受理投诉 {n} 件（上月 {p} 件）"),
    "monthly.reasons": ("Top reasons", "主要投诉原因"),
    "monthly.compliance": ("Compliance with time limits", "时限达标情况"),
    "monthly.compliance_note": ("Cycles decided this month. Open cases already past a deadline: {n}.",
                                "本月办结的处理轮次。已超时的未结投诉：{n} 件。"),
    "monthly.aging": ("Aging of open cases", "未结投诉账龄"),
    "monthly.other_reviews_upheld": ("Asked earlier: upheld", "此前申请：核查维持"),
    "monthly.other_reviews_changed": ("Asked earlier: changed", "此前申请：核查变更"),
    "monthly.reviews": ("Reviews requested in the month and their outcomes; reviews requested earlier and decided in "
                        "the month", "本月核查申请及结果；此前申请、本月作出核查决定的核查"),
    "monthly.repeat": ("Repeat complainants (masked)", "重复投诉客户（已脱敏）"),
    "monthly.actions": ("Remediation actions (溯源整改)", "溯源整改措施"),
    "monthly.actions_due": ("Due this month", "本月到期"),
    "monthly.actions_late": ("Late at month end", "月末逾期"),
    "monthly.none": ("None.", "无。"),
    "monthly.footer": ("Made by complaintctl from the complaint register; every figure is also in its JSON (report "
                       "monthly --format json), and as rows in the CSV of report sla, report summary and report "
                       "regulatory --month.",
                       "由 complaintctl 根据投诉登记数据生成；所有数据均见其 JSON（report monthly --format json），"
                       "也可由 report sla、report summary 与 report regulatory --month 的 CSV 逐行核对。"),
    "chart.trend_product": ("Received per month by product (12 months)", "近12个月各产品投诉量"),
    "chart.trend_channel": ("Received per month by channel (12 months)", "近12个月各渠道投诉量"),
    "chart.reasons": ("Top reasons: this month and the previous", "主要投诉原因：本月与上月"),
    "chart.compliance_tier": ("Within time limits by tier (%)", "各等级时限达标率（%）"),
    "chart.compliance_branch": ("Within time limits by branch (%)", "各网点时限达标率（%）"),
    "chart.no_data": ("No data", "无数据"),
    "chart.empty": ("{title}: no data", "{title}：无数据"),
    "chart.aging": ("Open cases by age in working days", "未结投诉账龄（工作日）"),
    "within_internal_pct": ("Within internal limit", "内部时限内"),
    "within_regulatory_pct": ("Within regulatory limit", "监管时限内"),
    "resolved_count": ("Decided", "办结数"),
    "previous": ("Previous month", "上月"),
    "change": ("Change", "变化"),
    "change_pct": ("Change %", "变化率"),
    "contact": ("Contact", "联系方式"),
    "case": ("case", "案件"),  # the CASE argument, as an error names it
    "title.return": ("Complaint return {quarter}", "{quarter} 投诉统计报表"),
    "title.by_type_reason": ("Received by business type and reason", "按业务类型和投诉原因"),
    "title.by_channel": ("Received by channel", "按业务办理渠道"),
    "title.by_branch": ("Handling by branch", "各网点处理情况"),
    "title.notes": ("Notes", "说明"),
    "business_code": ("Business type code", "业务类型编码"),
    "col.business_code": ("Business type code", "业务编码"),
    "col.reason_code": ("Reason code", "原因编码"),
    "business_name": ("Business type", "业务类型"),
    "reason_code": ("Reason code", "投诉原因编码"),
    "reason_name": ("Reason", "投诉原因"),
    "channel_code": ("Channel code", "渠道编码"),
    "channel_name": ("Channel", "业务办理渠道"),
    "received": ("Received", "受理量"),
    "handled_within_15_days": ("Handled within 15 days", "15日内办结"),
    "handled_within_extension": ("Handled within an extension", "延期内办结"),
    "handled_late": ("Handled late", "超期办结"),
    "withdrawn": ("Withdrawn", "撤回"),
    "repeat": ("Repeat complaints", "重复投诉"),
    "reviews_requested": ("Reviews requested", "申请核查"),
    "reviews_upheld": ("Upheld on review", "核查维持"),
    "reviews_changed": ("Changed on review", "核查变更"),
    "reviews_pending": ("Reviews pending", "核查未结"),
    "other_handled_within_15_days": ("Other: handled within 15 days", "其他15日内办结"),
    "other_handled_within_extension": ("Other: within an extension", "其他延期内办结"),
    "other_handled_late": ("Other: handled late", "其他超期办结"),
    "other_reviews_upheld": ("Other: upheld on review", "其他核查维持"),
    "other_reviews_changed": ("Other: changed on review", "其他核查变更"),
    "title.by_branch_other": ("The period's other decisions (complaints received before it, reopened cases, reviews "
                              "asked for before it), by branch", "各网点本期其他办结（往期受理、重新处理的投诉及往期申请的核查）"),
    "title.by_region_other": ("The period's other decisions (complaints received before it, reopened cases, reviews "
                              "asked for before it), by region", "各地区本期其他办结（往期受理、重新处理的投诉及往期申请的核查）"),
    "region": ("Region", "地区"),
    "region.none": ("(no region)", "（未划分地区）"),
    "group.none": ("(none)", "（无）"),  # a report's group of the cases with no value (no department)
    "title.by_region": ("Handling by region", "各地区处理情况"),
    "title.by_branch_more": ("Repeat complaints, reviews and open cases by branch", "各网点重复投诉、核查及期末未结"),
    "title.by_region_more": ("Repeat complaints, reviews and open cases by region", "各地区重复投诉、核查及期末未结"),
    "open_at_quarter_end": ("Open at period end", "期末未结"),
    "table": ("Table", "表"),
    "measure": ("Measure", "指标"),
    "return.quarter": ("Quarter", "季度"),
    "return.month": ("Month", "月份"),
    "return.window": ("Received from {lo} to {hi}", "受理时间 {lo} 至 {hi}"),
    "return.scope": ("Scope", "统计范围"),
    "return.all_branches": ("all branches", "全部网点"),
    "return.scope_branch": ("branch {branch}", "网点 {branch}"),
    "return.scope_region": ("region {region}", "地区 {region}"),
    "return.generated": ("Generated", "生成时间"),
    # The late entries behind the period's figures (return_figures.late_entries), and how to list them.
    "return.late_entries": ("Late entries: {n} (steps dated in the period but recorded after a deadline they are "
                            "dated before, each counted as on time by its own date; as recorded when this return was "
                            "made). Listed by:",
                            "补录：{n} 项（所记日期在本期内、却在其所对照的时限届满后才录入的步骤，按所记日期计为按时；"
                            "以生成本报表时的记录为准）。查看："),
    "return.late_entries_head": ("Late entries", "补录步骤"),
    "return.unfinished_head": ("Period not over", "期间未结束"),
    "return.definitions": (
        "Received: complaints received in the period (new cases; a repeat is not a new case). Handled within 15 "
        "days, within an extension, late: of those, the first decision told to the customer by the period's end; "
        "late when told after the deadline in force (its stored breach flag); within an extension when the period "
        "had been extended (extend --to 30|60) and the customer was told after the 15 days but within the "
        "extended deadline; otherwise within 15 days (an appraisal's days are not counted). Withdrawn: of those, "
        "withdrawn by the period's end. Repeat complaints: the same complaint again (log --repeat-of) received in "
        "the period, whenever the original was received. Reviews requested: review requests received in the "
        "period, and of those the ones decided by its end with the decision upheld or changed, and the ones still "
        "pending. Open at period end: every complaint not decided, withdrawn or closed by the end, whenever "
        "received (a decision under review is counted under reviews). Other: every other decision told in the "
        "period (the first of a complaint received before it, or a reopened case's new one), within 15 days, within "
        "an extension or late as above; and the reviews requested before the period decided in it, upheld or "
        "changed (a complaint carried over is counted as open at the end of its period and here when decided). "
        "Regions "
        "group branches as config's [regions] says; a branch not listed there is under (no region).",
        "统计口径：受理量为本期受理的投诉（新案件；重复投诉不另立案）。15日内办结、延期内办结、超期办结：上述投诉中，在期末前首次将处理"
        "决定告知客户的；超过有效时限告知的为超期办结（以记录的超时标记为准）；经延期（extend --to 30|60）且超过15日、在延长后的时限内"
        "告知的为延期内办结；其余为15日内办结（鉴定时间不计入）。撤回：上述投诉中期末前撤回的。重复投诉：本期收到的同一事项再次投诉"
        "（log --repeat-of），不论原投诉何时受理。申请核查：本期收到的核查申请，及其中期末前作出核查决定（维持或变更原决定）和尚未办结"
        "的数量。期末未结：截至期末尚未作出处理决定、撤回或关闭的全部投诉（不论受理时间；处理决定在核查中的计入核查）。其他：本期告知的"
        "其他处理决定（本期以前受理的投诉的首次决定，或重新处理的案件的新决定），按上述口径分为15日内办结、延期内办结、超期办结；本期以前"
        "申请、在本期作出决定的核查，分为维持和变更（跨期投诉在受理期末计入期末未结，办结时在此计入）。地区按配置文件 [regions] 划分网点，未列明的网点计入（未划分地区）。"),
    "title.late_actions": ("Late remediation actions", "逾期整改措施"),
    "no_actions": ("No remediation actions match.", "没有符合条件的整改措施。"),
    "msg.action_added": ("remediation action {id} added (owner {owner}, due {due})",
                         "整改措施 {id} 已登记（责任人 {owner}，期限 {due}）"),
    "msg.action_done": ("remediation action {id} done", "整改措施 {id} 已完成"),
    "title": ("Title", "整改事项"),
    "owner": ("Owner", "责任人"),
    "due_on": ("Due", "完成期限"),
    "days_late": ("Days late", "逾期天数"),
    "cases": ("Cases", "相关投诉"),
    "done_at": ("Done", "完成时间"),
    "evidence": ("Evidence", "整改证明"),
    "late": ("Late", "逾期"),
    "created_by": ("By", "登记人"),
    "created_at": ("Recorded", "登记时间"),
    "clock.internal": ("Internal deadline", "内部处理时限"),
    "clock.regulatory": ("Regulatory deadline ({n} days)", "监管处理时限（{n}日）"),
    "clock.review": ("Review (30 days)", "核查（30日）"),
    "clock.response": ("Initial plan (24 hours)", "初步方案（24小时）"),
    "clock.followup": ("Daily follow-up", "每日跟进"),
    "left": ("left", "剩余"),
    "overdue": ("overdue by", "已超时"),
    "met": ("met", "按时完成"),
    "breached": ("breached", "已超时"),
    "stopped": ("stopped (paused)", "已中止计时"),
    "closed": ("ended (the case is no longer open)", "已终止（案件已不在处理中）"),
    "none": ("none", "无"),
    # (Not "use --all": list's --all also takes in the closed cases, and it may have been given.)
    "more_rows": ("{n} more rows not shown: give --limit N for more (csv and json carry every row)",
                  "另有 {n} 行未显示：用 --limit N 显示更多（csv 与 json 含全部行）"),
    "columns_left_out": ("left out to fit {width} columns: {names}; a wider window, COLUMNS=N or --format csv "
                         "shows every column",
                         "为适应 {width} 列宽度未显示：{names}；加宽窗口、设置 COLUMNS=N 或使用 --format csv 可显示全部列"),
    "columns_days_only": ("{short} in whole days on some rows to fit {width} columns; a wider window, COLUMNS=N or "
                          "--format csv shows it in full",
                          "为适应 {width} 列宽度，{short}在部分行只显示整日数；加宽窗口、设置 COLUMNS=N 或使用 --format csv "
                          "可完整显示"),
    "columns_left_out_days": ("left out to fit {width} columns: {names}; {short} in whole days; a wider window, "
                              "COLUMNS=N or --format csv shows every column in full",
                              "为适应 {width} 列宽度未显示：{names}；{short}只显示整日数；加宽窗口、设置 COLUMNS=N "
                              "或使用 --format csv 可完整显示全部列"),
    "no_cases": ("No cases match.", "没有符合条件的案件。"),
    "provisional": (
        "calendar for {year} is provisional: the official holiday schedule is not yet published",
        "{year} 年日历为预估：官方节假日安排尚未发布",
    ),
    # A table's clock column: how late (calendar time, then working time), or how much is left.
    "clock": ("Clock", "时限状态"),
    "clock.late": ("late {calendar} ({working})", "超时{calendar}（{working}）"),
    "clock.late_hours": ("late {calendar}", "超时{calendar}"),
    "clock.left": ("{left} left", "剩{left}"),
    "clock.soon": ("due soon, {left} left", "即将到期，剩{left}"),
    "span.days_hours": ("{days}d {hours}h", "{days}天{hours}小时"),
    "span.working_days_hours": ("{days}wd {hours}h", "{days}工作日{hours}小时"),
    "span.hours_minutes": ("{hours}h {minutes:02d}m", "{hours}小时{minutes}分"),
    "span.whole_days": ("{days}d", "{days}天"),
    "span.whole_working_days": ("{days}wd", "{days}工作日"),
    "breach.internal": ("internal", "内部"),
    "breach.response": ("24h plan", "24小时方案"),
    "breach.regulatory": ("regulatory", "监管"),
    "breach.review": ("review", "核查"),
    "due_soon_count": ("Due soon: {n}", "即将到期 {n} 件"),
    "working_day": ("working day", "工作日"),
    "makeup_workday": ("make-up working day", "调休上班"),
    "non_working_weekday": ("holiday", "休息日"),
}


# The decision letter (处理决定告知书). A bank that wants other wording overrides the template.
TEXT.update({
    "letter.title": ("Notice of the decision on your complaint", "投诉处理决定告知书"),
    "letter.dear": ("Dear {name},", "尊敬的{name}："),
    "letter.customer": ("customer", "客户"),
    "letter.intro": ("On {received} we received your complaint (reference {ref}, {product}, {channel}). "
                     "Having looked into it, we notify you of our decision as follows.",
                     "我行于{received}收到您的投诉（编号 {ref}，业务类型：{product}，投诉渠道：{channel}）。经调查核实，现将处理决定告知如下。"),
    "letter.facts": ("Facts found", "一、经调查核实的事实"),
    "letter.basis": ("Basis of the decision", "二、处理依据"),
    "letter.basis_default": ("Measures for the Handling of Banking and Insurance Consumer Complaints "
                             "(CBIRC Order 2020 No. 3), the contract between you and the bank, and the bank's rules.",
                             "《银行业保险业消费投诉处理管理办法》（中国银保监会令2020年第3号）、您与我行签订的相关合同及我行相关业务规定。"),
    "letter.result": ("Decision", "三、处理决定"),
    "letter.relief": ("If you disagree", "四、救济途径"),
    "letter.review": ("You may ask for a review within 30 days of receiving this decision, that is by 24:00 on "
                      "{last}, in writing, to {to}; the review is decided within 30 days of your request.",
                      "如您对本处理决定有异议，可自收到本处理决定之日起30日内（即{last}24时前），以书面形式向{to}申请核查；"
                      "我行将自收到核查申请之日起30日内作出核查结论。"),
    "letter.review_default": ("the bank's consumer protection department", "我行消费者权益保护部门"),
    "letter.mediation": ("You may ask a financial dispute mediation organisation to mediate.",
                         "您可以向依法设立的银行业保险业纠纷调解组织申请调解。"),
    "letter.arbitration": ("Where there is an arbitration agreement, you may apply for arbitration.",
                           "您与我行之间有仲裁协议的，可以依法申请仲裁。"),
    "letter.litigation": ("You may bring proceedings in a people's court.", "您可以依法向人民法院提起诉讼。"),
    "letter.regulator": ("You may also call the financial regulator's consumer hotline {hotline}.",
                         "您也可以拨打金融监管部门消费者投诉热线 {hotline}。"),
    "letter.contact": ("Contact", "联系方式"),
    "letter.decided": ("This decision was made on {decided} and notified to you on {told}{via}.",
                       "本处理决定于{decided}作出，并于{told}{via}告知您。"),
    "letter.via": (" by {via}", "以{via}方式"),
    "letter.your_complaint": ("Your complaint", "一、您反映的问题"),
    "letter.no_facts": ("{ref}: resolve recorded no facts found (--facts); the letter repeats the complaint instead",
                        "{ref}：办结时未记录调查核实的事实（--facts）；告知书改为引述投诉内容"),
    "letter.unsigned": ("the config names no bank ([bank] name or branch_name): the letter is signed by no one",
                        "配置未写明银行（[bank] 的 name 或 branch_name）：告知书没有落款"),
    "fmt.long_date": ("{day.day} {day:%B %Y}", "{day.year}年{day.month}月{day.day}日"),
    "letter.date": ("Date", "日期"),
    "letter.not_decided": ("{ref} has no decision yet ({status}); a letter is written once the case is resolved",
                           "{ref} 尚无处理决定（{status}）；办结后方可出具告知书"),
})


# How `calendar due` explains its counting, step by step.
TEXT.update({
    "step.received": ("Received {day} {time} ({tz}); the day of receipt is not counted.",
                 "受理时间 {day} {time}（{tz}）；受理当日不计入。"),
    "step.restarted_at": ("Restarted {day} {time} ({tz}); that day is not counted.",
                          "重新计时 {day} {time}（{tz}）；当日不计入。"),
    "since.receipt": ("receipt", "受理"),
    "since.restart": ("the restart", "重新计时"),
    "since.escalation": ("the escalation to urgent ({at})", "升级为紧急投诉（{at}）"),
    "step.urgent": ("Urgent: the initial plan is due {hours} clock hours after {since}, holidays included: {when}.",
               "紧急投诉：须在{since}后 {hours} 小时内（节假日照常计算）提出初步处理方案：{when}。"),
    "step.followup": ("After the plan, the case needs a follow-up (note or respond) at least once every working day until resolved.",
                 "提出方案后，办结前每个工作日至少跟进一次（note 或 respond）。"),
    "step.counted": ("{day}: {kind}, day {n} of {of}.", "{day}：{kind}，第 {n}/{of} 个工作日。"),
    "step.skipped": ("{day}: {kind}, not counted.", "{day}：{kind}，不计入。"),
    "step.internal": ("Internal deadline ({tier}, {n} working days): 24:00 at the end of {day}.",
                 "内部处理时限（{tier}，{n} 个工作日）：{day} 24:00。"),
    "step.regulatory": ("Regulatory deadline: {n} calendar days after {since}, 24:00 at the end of {day}.",
                   "监管时限：{since}后 {n} 个自然日，{day} 24:00。"),
    "step.regulatory_moved": ("Regulatory deadline: {n} calendar days after {since} is {last}, not a working day ({kind}), "
                         "so it moves to the end of {day}.",
                         "监管时限：{since}后第 {n} 个自然日为 {last}，非工作日（{kind}），顺延至 {day} 24:00。"),
    "step.extended": ("Extended (Order 2020 No. 3, art. 17): the regulatory period is {n} days from {since} instead of "
                      "{base}.",
                      "已延长（银保监会令2020年第3号第十七条）：监管时限为{since}后 {n} 日，而非 {base} 日。"),
    "step.paused": ("Paused for {working} of working time in all: the internal deadline moves that much later, to {when}.",
                    "累计中止工作时间 {working}：内部处理时限相应顺延至 {when}。"),
    "step.paused_after": ("Paused for {working} of working time in all, after the internal deadline had passed: it "
                          "stays {when}, and its breach stands.",
                          "累计中止工作时间 {working}，中止时内部处理时限已届满：时限仍为 {when}，已超时的记录不变。"),
    "step.local_closure": ("{day} is a local closure, not a statutory rest day: it does not move the regulator's "
                           "deadline.",
                           "{day} 为本行自定休息日，非法定休假日：不顺延监管时限。"),
    "step.period": ("{what}: counted from the day after {start}; day {n} is {last}.",
                    "{what}：自 {start} 次日起算，第 {n} 日为 {last}。"),
    "step.period_moved": ("{last} is not a working day ({kind}), so the period ends at 24:00 on {day}.",
                          "{last} 为非工作日（{kind}），顺延至 {day} 24:00。"),
    "step.period_end": ("The period ends at 24:00 on {day}.", "期限于 {day} 24:00 届满。"),
    "step.rules_then": ("Counted by the deadline rules in force when these deadlines were set; 'config adopt' changed "
                        "them on {day}, and a case logged now would be counted by the new ones.",
                        "按设定这些期限时有效的期限规则计算；期限规则已于 {day} 经“config adopt”变更，现在登记的投诉按新规则计算。"),
    "step.restarted": ("The clocks restarted on {day} ({why}): every deadline below counts from then.",
                       "{day} 重新计时（{why}）：以下时限均自该日起算。"),
    "step.appraisal": ("Appraisal time left out of the regulatory period: {n} day(s) added.",
                       "鉴定时间不计入监管时限：顺延 {n} 日。"),
    "what.review": ("Review (30 days from the request)", "核查（自申请之日起30日）"),
    "what.review_request": ("The window to ask for a review (30 days from being told of the decision)",
                            "申请核查的期限（自收到处理决定之日起30日）"),
    "title.counting": ("How the deadlines were counted", "时限计算过程"),
    "step.working day": ("working day", "工作日"),
    "step.make-up": ("make-up working day (调休)", "调休工作日"),
    "step.holiday": ("{name}", "{name}"),  # the holiday by its name (国庆节): a holiday, and not counted, already
    "step.weekend": ("weekend", "周末"),
})

TEXT.update({
    "msg.logged": ("{ref} logged ({tier}; {deadlines})", "{ref} 已登记（{tier}；{deadlines}）"),
    "msg.assigned": ("{ref} assigned to {name} ({status})", "{ref} 已分派给 {name}（{status}）"),
    "msg.escalated": ("{ref} escalated {old} -> {new} ({deadlines})", "{ref} 已由{old}升级为{new}（{deadlines}）"),
    "msg.responded": ("{ref} response recorded ({status})", "{ref} 已记录答复（{status}）"),
    "msg.noted": ("{ref} note added", "{ref} 已添加跟进记录"),
    "msg.paused": ("{ref} paused ({reason}); the internal clock stopped, the regulatory one runs on",
                   "{ref} 已中止（{reason}），内部处理时限暂停计时，监管时限照常计算"),
    "msg.paused_appraisal": ("{ref} paused ({reason}); clocks stopped: appraisal time is left out of the "
                             "regulatory period too", "{ref} 已中止（{reason}），计时暂停：鉴定时间亦不计入监管时限"),
    "msg.resumed": ("{ref} resumed ({deadlines})", "{ref} 已恢复处理（{deadlines}）"),
    "msg.extended": ("{ref} regulatory period extended to {days} days from receipt ({deadlines})",
                     "{ref} 监管时限已延长至受理后 {days} 日（{deadlines}）"),
    "msg.extension_requested": ("{ref} extension to {days} days from receipt requested; the approver grants it "
                                "with 'complaintctl extend {ref} --to {days} --reason TEXT --customer-told-at TIME'",
                                "{ref} 已申请延长至受理后 {days} 日；由批准人执行 complaintctl extend {ref} --to {days} "
                                "--reason 理由 --customer-told-at 时间 予以批准"),
    "msg.resolved": ("{ref} resolved", "{ref} 已办结"),
    "msg.resolved_late": ("{ref} resolved (internal deadline breached)", "{ref} 已办结（已超过内部时限）"),
    "msg.reopened": ("{ref} reopened, cycle {n} ({deadlines})", "{ref} 已重开，第 {n} 轮处理（{deadlines}）"),
    "msg.closed": ("{ref} closed ({satisfaction})", "{ref} 已关闭（{satisfaction}）"),
    "msg.withdrawn": ("{ref} withdrawn by the complainant; the procedure ends {day}",
                      "{ref} 投诉人已撤回投诉，处理程序于 {day} 终止"),
    "msg.review": ("{ref} under review by {name}; the review is due by 24:00 on {day}",
                   "{ref} 已进入核查，核查人：{name}；核查时限为 {day} 24:00"),
    "msg.review_decided": ("{ref} review decided: {outcome}; tell the customer", "{ref} 核查结论：{outcome}；请告知客户"),
    "msg.repeat": ("{ref}: repeat complaint recorded on the original (no new case, clock unchanged: {deadlines}); "
                   "tell the customer how it is progressing",
                   "{ref}：重复投诉已记入原案件（不新建案件，时限不变：{deadlines}）；请向客户告知办理进度"),
    "msg.new_facts": ("{ref}: new facts or reasons; the clock restarts from {day}, cycle {n} ({deadlines})",
                      "{ref}：有新事实或新理由，自 {day} 起重新计算时限，第 {n} 轮处理（{deadlines}）"),
    "dl.plan": ("plan due {when}", "初步方案时限 {when}"),
    "dl.internal": ("due end of {day}", "处理时限 {day}24:00"),
    "dl.regulatory": ("regulatory end of {day}", "监管时限 {day}24:00"),
    "dl.internal_at": ("due {day} {time}", "处理时限 {day}{time}"),  # moved off midnight by a pause
    "dl.regulatory_at": ("regulatory {day} {time}", "监管时限 {day}{time}"),
})

_PARAM_ENUMS = {"outcome": d.ReviewOutcome, "tier": d.Tier, "old": d.Tier, "new": d.Tier, "status": d.Status, "reason": d.PauseReason,
                "satisfaction": d.Satisfaction}
WEEKDAYS = {"en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
            "zh": ("周一", "周二", "周三", "周四", "周五", "周六", "周日")}


def format_day(day, lang: str = "en") -> str:
    """A date with its weekday: 'Wed 2026-12-02' or '2026-12-02（周三）'."""
    if lang == "zh":
        return f"{day.isoformat()}（{WEEKDAYS['zh'][day.weekday()]}）"
    return f"{WEEKDAYS['en'][day.weekday()]} {day.isoformat()}"


def day_text(iso_due: str, lang: str = "en") -> str:
    """The last day of a deadline stored as the following midnight."""
    import datetime as dt

    return format_day((dt.datetime.fromisoformat(iso_due) - dt.timedelta(microseconds=1)).date(), lang)


def deadline_text(case: dict, lang: str = "en") -> str:
    """The case's current deadlines in a few words, for one-line summaries."""
    parts = []
    if case.get("tier") == d.Tier.URGENT.value and case.get("first_response_due_at") and not case.get("first_responded_at"):
        parts.append(t("dl.plan", lang, when=case["first_response_due_at"][:16].replace("T", " ")))
    elif case.get("due_at"):
        parts.append(_due_words("dl.internal", case["due_at"], lang))
    if case.get("regulatory_due_at"):
        parts.append(_due_words("dl.regulatory", case["regulatory_due_at"], lang))
    return ("，" if lang == "zh" else ", ").join(parts)


def _due_words(key: str, iso_due: str, lang: str) -> str:
    """A deadline as the end of its last day, or (moved off midnight by a pause) its day and time."""
    import datetime as dt

    moment = dt.datetime.fromisoformat(iso_due)
    if moment.time() == dt.time():
        return t(key, lang, day=day_text(iso_due, lang))
    return t(key + "_at", lang, day=format_day(moment.date(), lang), time=f"{moment:%H:%M}")

# What `db check --anchors` says of an anchor that no longer matches the chain.
TEXT.update({
    "anchor.missing": ("anchor of {at} (line {line}): event {id} no longer exists: the chain was cut back "
                       "(events or cases deleted) after it was anchored",
                       "{at} 的锚点（第 {line} 行）：事件 {id} 已不存在，锚定后审计链被截短（事件或案件被删除）"),
    "anchor.rewritten": ("anchor of {at} (line {line}): event {id} no longer has the anchored hash: the chain up "
                         "to it was rewritten",
                         "{at} 的锚点（第 {line} 行）：事件 {id} 的哈希与锚定值不符，该事件及之前的审计链被改写"),
    "anchor.count": ("anchor of {at} (line {line}): {n} events up to event {id}, {events} when anchored: events "
                     "were removed or inserted",
                     "{at} 的锚点（第 {line} 行）：事件 {id} 及之前现有 {n} 条事件，锚定时为 {events} 条，有事件被删除或插入"),
    "anchor.unreadable": ("line {line} of the anchors file is not a whole anchor ({tag} events=N last_id=N "
                          "hash=HEX at=TIME, as 'complaintctl db anchor' writes it): cut, folded or edited, so what it "
                          "anchored cannot be checked",
                          "锚点文件第 {line} 行不是完整的锚点（应为 'complaintctl db anchor' 写出的 {tag} events=N "
                          "last_id=N hash=HEX at=TIME）：已被截断、折行或修改，无法核对其锚定的内容"),
    "anchor.ok": ("ok: {n} anchor(s) match the chain", "正常：{n} 个锚点与审计链一致"),
    "anchor.appended": ("anchor appended to {file}", "锚点已追加到 {file}"),
})


def message(key: str, lang: str, case: dict, **params) -> str:
    """A one-line summary of what a command did, in `lang`."""
    values = {k: (label(v, lang, _PARAM_ENUMS[k]) if k in _PARAM_ENUMS else v) for k, v in params.items()}
    values.setdefault("ref", case.get("reference"))
    values.setdefault("deadlines", deadline_text(case, lang))
    return t(key, lang, **values)


def duration(seconds: float, lang: str = "en", *, working: bool = False, whole_days: bool = False) -> str:
    """A length of time as a person reads it: days and hours (working days, where a working day
    is 24 hours of a working date), or hours and minutes under a day. With `whole_days`, a span of
    a day or more is its whole days only (the hours left out, never rounded up)."""
    s = abs(int(seconds))
    days, rest = divmod(s, 86400)
    if days and whole_days:
        return t("span.whole_working_days" if working else "span.whole_days", lang, days=days)
    if days:
        return t("span.working_days_hours" if working else "span.days_hours", lang, days=days, hours=rest // 3600)
    return t("span.hours_minutes", lang, hours=rest // 3600, minutes=(rest % 3600) // 60)


def t(key: str, lang: str = "en", /, **kwargs) -> str:
    """A header, title or message in `lang`."""
    en, zh = TEXT.get(key, (key, key))
    text = zh if lang == "zh" else en
    return text.format(**kwargs) if kwargs else text


# The database: where it is, and whether it exists --------------------------------------------
TEXT.update({
    "err.db_not_found": (
        "database not found: {where} does not exist (check --db, COMPLAINTCTL_DB or the config; "
        "'complaintctl init' or 'complaintctl db upgrade' creates a new one)",
        "未找到数据库：{where} 不存在（请检查 --db、COMPLAINTCTL_DB 或配置文件；"
        "新建数据库请用 complaintctl init 或 complaintctl db upgrade）",
    ),
    "err.db_empty": (
        "database not found: {where} holds no complaintctl data (check --db, COMPLAINTCTL_DB or the config; "
        "'complaintctl init' or 'complaintctl db upgrade' creates the tables)",
        "未找到数据库：{where} 中没有 complaintctl 数据（请检查 --db、COMPLAINTCTL_DB 或配置文件；"
        "建表请用 complaintctl init 或 complaintctl db upgrade）",
    ),
    "note.db_created": ("created a new database at {where}", "已新建数据库：{where}"),
    "note.schema": ("database schema brought to revision {rev}", "数据库结构已升级至版本 {rev}"),
})

# demo and init ---------------------------------------------------------------------------------
TEXT.update({
    "demo.made": ("made {cases} sample complaints and {staff} staff in a demo database of its own: {where}",
                  "已在独立的演示数据库中生成 {cases} 件示例投诉和 {staff} 名员工：{where}"),
    "demo.next": ("{open} open and {overdue} overdue demo cases in all (at most {shown} of each above); every one: "
                  "complaintctl --db {db} list --all, or complaintctl --db {db} report overdue --all "
                  "(your own register, set up by init, is a different file)",
                  "演示数据共有未结案件 {open} 件、超时 {overdue} 件（以上各列出至多 {shown} 件）；查看全部："
                  "complaintctl --db {db} list --all，或 complaintctl --db {db} report overdue --all"
                  "（init 建立的正式登记簿是另一个文件）"),
    "init.ask_branch": ("Branch code", "网点代码"),
    "init.ask_timezone": ("Time zone", "时区"),
    "init.ask_country": ("Calendar country", "节假日日历国家"),
    "init.ask_language": ("Language (en/zh; Enter: as the system's locale says, now {lang})",
                          "语言（en/zh；直接回车：随系统语言环境，当前为 {lang}）"),
    "init.ask_staff": ("First staff (NAME:ROLE, comma-separated)", "首批员工（姓名:角色，逗号分隔）"),
    "init.done": ("wrote {path}; database ready at {where}; {n} staff registered",
                  "已写入配置 {path}；数据库就绪：{where}；已登记 {n} 名员工"),
    "init.done_admin": ("wrote {path}; database ready at {where}; {n} staff registered; administrator: {admin}",
                        "已写入配置 {path}；数据库就绪：{where}；已登记 {n} 名员工；系统管理员：{admin}"),
    "init.existing": ("already registered, left as they are: {names}", "以下员工已登记，保持不变：{names}"),
    "init.has_cases": ("the database at {where} already holds {n} case(s): if this is meant to be a new register, "
                       "run init again with --db NEW_FILE --force",
                       "数据库 {where} 中已有 {n} 件案件：如需全新的登记簿，请用 --db 新文件 --force 重新运行 init"),
    "err.no_branch": ("no branch for this case: give --branch CODE, or set branch in the config "
                      "(complaintctl init --branch CODE)",
                      "未指定网点：请使用 --branch 网点代码，或在配置文件中设置 branch（complaintctl init --branch 网点代码）"),
    "err.regions_table": ('{where}: regions must be a table of branch = "region" ([regions] then BJ001 = "北京")',
                          '{where}：regions 应为“网点 = 地区”的表（[regions] 下每行一个网点，如 BJ001 = "北京"）'),
    "err.region_branch": ("{where}: regions.{branch!r}: not a branch code; expected the branch as cases record it, "
                          "such as BJ001",
                          "{where}：regions.{branch!r} 不是网点代码；应为案件记录的网点代码，如 BJ001"),
    "err.region_name": ('{where}: regions.{branch}: expected the name of the branch\'s region (one line of text, at '
                        'most {limit} characters), such as "北京"; got {got}',
                        '{where}：regions.{branch} 应为该网点所属地区的名称（一行文字，不超过 {limit} 个字符），如 "北京"；'
                        '实际为 {got}'),
    "err.region_and_branch": ("--region and --branch together: give one (a region's branches, or one branch)",
                              "--region 与 --branch 不能同时使用：请只给出其一（某地区的全部网点，或单个网点）"),
})
TEXT["no_overdue"] = ("No overdue cases.", "没有超时案件。")


def article(text: str) -> str:
    """English 'a' or 'an' before a word: an important case, an executive, a manager."""
    return f"{'an' if text[:1].lower() in 'aeiou' else 'a'} {text}"


def plain(value, lang: str, enum) -> str:
    """A choice as it reads inside a sentence: 'in progress', 'important', '处理中'."""
    text = label(value, lang, enum)
    return text if lang == "zh" else text.lower()


# Errors a user meets at the counter, in both languages ----------------------------------------
TEXT.update({
    "err.backup_exists": ("backup file {path} already exists: give a new file name (db backup never overwrites)",
                          "备份文件 {path} 已存在：请指定新的文件名（db backup 从不覆盖已有文件）"),
    "err.backup_folder": ("backup file {path}: its folder does not exist; expected a file in an existing folder",
                          "备份文件 {path} 所在文件夹不存在：请指定已有文件夹中的文件"),
    "err.staff_deactivated": ("{field} {name!r} was deactivated (see 'complaintctl staff list'): "
                              "expected active staff",
                              "{field} {name!r} 已停用（见 complaintctl staff list）：请指定在职员工"),
    "err.staff_active": ("staff {name!r} is active: only a deactivated member of staff can be reactivated "
                         "(see 'complaintctl staff list')",
                         "员工 {name!r} 在职：只有已停用的员工才能恢复启用（见 complaintctl staff list）"),
    "err.missing_contact": ("missing contact: a complaint by {channel} needs --phone or --email "
                            "(only a suggestion box or a letter may be anonymous)",
                            "缺少联系方式：通过「{channel}」提出的投诉须提供 --phone 或 --email（仅意见箱和信函可匿名）"),
    "err.extend_now_late": ("an extension approved now ({now}) comes after the deadline being extended ran out "
                            "({due}): a deadline that has passed cannot be extended (an approval given before it is "
                            "recorded with --at, when it was given)",
                            "现在（{now}）批准的延期晚于被延长的时限届满（{due}）：已过的时限不能延长（此前已批准的，"
                            "请用 --at 记录批准时间）"),
    "err.assign_same": ("{ref} is already assigned to {name}, with the same co-handlers and department: nothing to "
                        "change", "{ref} 已分派给 {name}，协办人与部门相同：无需变更"),
    "err.assign_role": ("cannot assign {a_tier} case to {name} ({role}): it needs {a_need} or above; "
                        "use --override --reason TEXT to do it anyway",
                        "不能将{tier}分派给 {name}（{role}）：须由{need}或以上处理；确需分派请使用 --override --reason 说明理由"),
    "err.extension_approver": ("an extension to {days} days needs {a_need}'s approval; {name} is {a_role}",
                               "延长至 {days} 日须经{need}批准；{name} 是{role}"),
})


class Named(tuple):
    """Names with a header in TEXT (report dimensions, fields), shown in an error as the name
    and its Chinese header: 'channel (渠道)'."""

    def text(self, lang: str) -> str:
        if lang == "zh":
            return "、".join(f"{n}（{TEXT.get(n, (n, n))[1]}）" for n in self)
        return ", ".join(f"{n} ({TEXT.get(n, (n, n))[1]})" for n in self)


def sentence(key: str, lang: str = "en", /, **params) -> str:
    """`t` for a sentence with choices in it: an enum value reads as its label ('in progress',
    '处理中'), an enum class as its accepted values, a list joined (', ' or '、'); a parameter
    named a_X also gets its English article ('an important')."""
    from enum import StrEnum as _StrEnum

    values = {}
    for k, v in params.items():
        if isinstance(v, _StrEnum):
            v = plain(v, lang, type(v))
        elif isinstance(v, type) and issubclass(v, _StrEnum):  # a choice's every value, as accepted
            v = accepted(v, lang)
        elif isinstance(v, Named):
            v = v.text(lang)
        elif isinstance(v, (list, tuple)):
            v = ("、" if lang == "zh" else ", ").join(plain(x, lang, type(x)) if isinstance(x, _StrEnum) else str(x)
                                                    for x in v)
        if k.startswith("a_") and lang != "zh":
            v = article(str(v))
        values[k] = v
    return t(key, lang, **values)


def error_text(exc: ComplaintctlError, lang: str = "en") -> str:
    """An error's one line in `lang`, from its labels key and values."""
    if isinstance(exc, NotPermitted):
        return denial(exc.kind, lang, **exc.params)
    params = dict(exc.label_params)
    field = params.get("field")
    named = None
    if lang == "zh" and isinstance(field, str) and field in TEXT and not field.startswith("-"):
        named = params["field"] = TEXT[field][1]  # a field named as its column reads: 渠道, not channel
    if isinstance(exc, InvalidValue):
        params["accepted"] = sentence(exc.accepted, lang, **exc.accepted_params)
    elif isinstance(exc, IllegalMove):
        if lang == "zh":
            params.update(action=label(exc.action, lang, d.Action), status=label(exc.status, lang, d.Status),
                          allowed="、".join(label(a, lang, d.Action) for a in exc.allowed) or "无")
        else:
            params.update(action=action_verb(exc.action), status=str(exc.status).replace("_", " "),
                          allowed=", ".join(command_name(a) for a in exc.allowed) or "none")
    text = sentence(exc.label_key, lang, **params)
    if named is not None and not named.isascii():  # (a space parts an option's name from Chinese, not a word)
        text = text.replace(f"{named} 的", f"{named}的", 1)
    return text


# A step of the procedure as an English refusal says it ("cannot {verb} a case that is closed"),
# where the command's name is no verb of its own.
_ACTION_VERBS = {"respond": "respond to", "note": "add a note to", "review_decide": "decide the review of",
                 "repeat": "log a repeat of", "extension_request": "ask for an extension of"}


def action_verb(action: str) -> str:
    return _ACTION_VERBS.get(str(action), str(action).replace("_", " "))


def command_name(action: str) -> str:
    """The command that takes a step of the procedure (review_decide: review-decide)."""
    return str(action).replace("_", "-")


# Who may do what (complaintctl/access.py) ----------------------------------------------------

# access.Do -> (the commands, what it is in English, in Chinese)
ACCESS_ACTIONS: dict[str, tuple[str, str, str]] = {
    "read": ("list, show, find, report, export, staff list, db info, letter", "read cases and reports", "查看案件和报表"),
    "work": ("log, assign, escalate CASE, respond, note, pause, resume, resolve, reopen, close, withdraw, review, "
             "review-decide, action add/done",
             "work on cases", "处理案件"),
    "override": ("assign --override", "assign below the tier's handler level", "越级分派案件"),
    "request_extension": ("extend --request", "request an extension", "申请延长监管时限"),
    "approve_30": ("extend --to 30", "approve a 30-day extension", "批准延期 30 日"),
    "approve_60": ("extend --to 60", "approve a 60-day extension", "批准延期 60 日"),
    "reveal": ("show --reveal, letter --reveal", "see personal data in full", "查看完整个人信息"),
    "escalate_overdue": ("escalate --overdue", "escalate every overdue case", "批量升级超时案件"),
    "import": ("import", "import cases", "导入案件"),
    "staff": ("staff add, staff deactivate, staff reactivate, staff role, staff login", "manage staff and their logins",
              "管理员工及其登录账户"),
    "masking": ("masking on, masking off", "change the masking policy", "变更脱敏策略"),
    "act_for": ("--as NAME", "act for someone", "代他人操作（--as）"),
    "maintain": ("db purge, demo, config adopt", "maintain the database", "维护数据库"),
    "check": ("db check, db backup, db anchor", "check and back up the database", "检查和备份数据库"),
}

# NotPermitted (exit 4): kind -> (English, Chinese)
DENIALS: dict[str, tuple[str, str]] = {
    "unmapped": (
        "login {login!r} is not mapped to active staff, so it may read and write nothing; an administrator "
        "maps it with 'complaintctl staff add NAME --role ROLE --login {login}'",
        "登录账户 {login!r} 未对应任何在职员工，不能读取或写入任何数据；请系统管理员执行 "
        "complaintctl staff add 姓名 --role 角色 --login {login} 进行登记"),
    "deactivated": (
        "login {login!r} belongs to {name}, who is deactivated: deactivated staff can do nothing",
        "登录账户 {login!r} 对应的员工 {name} 已停用：停用员工不能执行任何操作"),
    "deactivated_target": (
        "--as {name!r}: {name} is deactivated, and deactivated staff can do nothing",
        "--as {name!r}：{name} 已停用，停用员工不能执行任何操作"),
    "act_for": (
        "only an administrator may act for someone (--as); {name} (login {login!r}) is {role}",
        "只有系统管理员可以代他人操作（--as）；{name}（登录账户 {login!r}）的角色为{role}"),
    "role": (
        "not permitted: only {roles} may {what}; {person} is {role}",
        "无权操作：只有{roles}可以{what}；{person} 的角色为{role}"),
    "branch": (
        "not permitted: a {role} may {what} only for cases of their own branch ({own}); this case is of branch {branch}",
        "无权操作：{role}只能对本网点（{own}）的案件{what}；该案件属于网点 {branch}"),
    "return_branch": (
        "not permitted: {person} ({role} of branch {own}) reaches only that branch's cases, so a return of {scope} "
        "would count that branch alone; give --branch {own}, or no scope",
        "无权操作：{person}（网点 {own} 的{role}）只能看到该网点的案件，按 {scope} 出具的报表只会统计该网点；"
        "请用 --branch {own}，或不指定范围"),
    "no_branch": (
        "not permitted: {person} ({role} of the higher institution, with no branch) reaches no case on this "
        "database, where the server shows staff their own branch's cases only; staff of a branch (for its cases), "
        "or a manager of the higher institution (who sees every branch), can do this",
        "无权操作：{person}（上级机构的{role}，未归属网点）在本数据库中看不到任何案件：服务器只向员工显示本网点的案件；"
        "请由相关网点的员工（办理本网点案件），或可查看所有网点的上级机构经理办理"),
    "log_branch": (
        "not permitted: {person} ({role} of branch {own}) logs cases for that branch only; --branch {branch} is "
        "another's",
        "无权操作：{person}（网点 {own} 的{role}）只能登记本网点的案件；--branch {branch} 属于其他网点"),
    "act_for_branch": (
        "not permitted: acting for {person} ({role} of branch {own}) reaches only that branch's cases; this one is "
        "of branch {branch}",
        "无权操作：代 {person}（网点 {own} 的{role}）操作时只能处理该网点的案件；该案件属于网点 {branch}"),
    "approver": (
        "an extension is approved by the approver themselves: {person} cannot record {approver}'s approval "
        "({approver} runs 'complaintctl extend', or an administrator with --as {approver})",
        "延期须由批准人本人操作：{person} 不能代为记录 {approver} 的批准（由 {approver} 执行 complaintctl extend，"
        "或由系统管理员使用 --as {approver}）"),
    "recused_case": (
        "not permitted: the complaint is about {person}, who neither handles nor decides it; someone else records "
        "this step",
        "无权操作：该投诉涉及 {person}，其本人应当回避，不得处理或决定本案；请由其他人员操作"),
    "recused": (
        "not permitted: the complaint is about {person}, who may not approve its extension",
        "无权操作：该投诉涉及 {person}，其本人不得批准延期"),
    "stand_in": (
        "not permitted: the reviewer named, {reviewer}, has been deactivated, and the review is decided in their "
        "place only by {accepted}; {person} is not",
        "无权操作：指定的核查人 {reviewer} 已停用，替代其作出核查结论的须为{accepted}；{person} 不符合"),
    "reviewer": (
        "not permitted: a review is decided by the reviewer named when it was requested, {reviewer}; {person} is not "
        "({reviewer} runs 'complaintctl review-decide', or an administrator with --as {reviewer})",
        "无权操作：核查结论须由申请核查时指定的核查人 {reviewer} 作出，{person} 不是核查人（由 {reviewer} 执行 "
        "complaintctl review-decide，或由系统管理员使用 --as {reviewer}）"),
    "last_admin": (
        "{name} is the last active administrator; register another administrator first",
        "{name} 是最后一名在职系统管理员；请先登记另一名系统管理员"),
    "no_operator": ("not permitted: no operator was identified", "无权操作：未能识别操作人"),
    "server": ("not permitted by the database server: {message}", "数据库服务器拒绝该操作：{message}"),
}


def denial(kind: str, lang: str = "en", **params) -> str:
    """The one line of a NotPermitted error, in `lang` (role and action names translated)."""
    en, zh = DENIALS.get(kind, (kind, kind))
    values = dict(params)
    if "role" in values:
        values["role"] = label(values["role"], lang, d.Role)
    if "roles" in values:  # "Front-line staff, Manager or Executive"; "一线员工、中层管理人员或高级管理人员"
        names = [label(r, lang, d.Role) for r in values["roles"]]
        comma, last = ("、", "或") if lang == "zh" else (", ", " or ")
        values["roles"] = comma.join(names[:-1]) + last + names[-1] if len(names) > 1 else "".join(names)
    if "what" in values and values["what"] in ACCESS_ACTIONS:
        values["what"] = ACCESS_ACTIONS[values["what"]][2 if lang == "zh" else 1]
    if "accepted" in values:  # what a check accepts (an acc.* key), worded in the line's language
        values["accepted"] = sentence(values["accepted"], lang, **values.pop("accepted_params", {}))
    return (zh if lang == "zh" else en).format(**values)
# The interactive session -----------------------------------------------------------------------
TEXT.update({
    "shell.welcome": ("complaintctl session on {where}: commands as usual, Tab completes, help (or help COMMAND) "
                      "lists them, exit or Ctrl-D leaves",
                      "complaintctl 会话：{where}；命令照常输入，Tab 补全，help（或 help 命令）查看帮助，exit 或 Ctrl-D 退出"),
    "shell.quote": ("cannot read the line: a quotation mark or a backslash at its end is not closed; expected "
                    "matching quotes", "无法解析该行：引号或行末的反斜杠未闭合；引号应成对出现"),
    "shell.global": ("global options (--db, --as, --lang, ...) are set when the session starts: "
                     "leave with exit and start complaintctl again with them",
                     "全局选项（--db、--as、--lang 等）须在启动会话时给出：请 exit 后带上这些选项重新启动"),
    "shell.nested": ("already in a complaintctl session", "已在 complaintctl 会话中"),
    "shell.line_failed": ("line {n} ({command}) failed: exit {code}", "第 {n} 行（'{command}'）失败：退出码 {code}"),
    "shell.line_failed_bare": ("line {n} failed: exit {code}", "第 {n} 行失败：退出码 {code}"),
    "shell.line_stopped": ("line {n} ({command}) stopped: no later line ran",
                           "第 {n} 行（'{command}'）已中止：其后各行未执行"),
    "shell.line_stopped_bare": ("line {n} stopped: no later line ran", "第 {n} 行已中止：其后各行未执行"),
    "shell.lines_failed": ("{failed} of the {lines} commands run failed: lines {numbers}",
                           "已执行的 {lines} 条命令中有 {failed} 条失败：第 {numbers} 行"),
    "shell.recalled": ("{option} holds what the history kept in place of personal data ({value}): "
                       "type the value in full", "{option} 的值是历史记录中代替个人信息的掩码（{value}）：请输入完整的值"),
    "shell.no_history": ("the line was not kept in the history file: {why}", "该行未写入历史记录文件：{why}"),
    "shell.history_unmasked": ("the history file, written by an earlier version with personal data in full, could "
                               "not be written again masked ({why}): remove it", "历史记录文件由旧版本写入，含完整个人信息，"
                               "未能改写为掩码形式（{why}）：请删除该文件"),
})


TEXT["sla.this_month"] = ("this month so far", "本月至今")


def parse_name(text: str, names: tuple[str, ...], field: str) -> str:
    """One of `names` (keys with a header in TEXT), typed as the key, its English header or its
    Chinese name, ignoring case and spaces: `--by 渠道` is `--by channel`."""
    folded = _fold(str(text))
    for name in names:
        en, zh = TEXT.get(name, (name, name))
        if folded in (_fold(name), _fold(en), _fold(zh)):
            return name
    raise InvalidValue(field, typed_choice(text, names), "acc.one_of", choices=Named(names))


TEXT["err.did_you_mean"] = ("no case or staff has {field} {value!r}: did you mean {suggestions}?",
                            "没有案件或员工的 {field} 为 {value!r}：是否要找 {suggestions}？")
TEXT["err.no_such_name"] = ("no case or staff has {field} {value!r}: expected one that a case or a member of staff has "
                            "(see 'complaintctl staff list')",
                            "没有案件或员工的 {field} 为 {value!r}：应为案件或员工所属的值（参见 'complaintctl staff list'）")
TEXT["err.window_half"] = ("missing {missing}: {given} needs it; give both --from and --to, or neither "
                           "(this month so far)",
                           "缺少 {missing}：给出 {given} 时也须给出它；请同时给出 --from 和 --to，或都不给（默认本月至今）")
TEXT["err.excel_csv_only"] = (
    "--excel applies to --format csv only (a byte-order mark, so that Excel shows Chinese correctly), not to "
    "--format {fmt}: add --format csv, or leave --excel out",
    "--excel 仅用于 --format csv（加字节顺序标记，使电子表格软件正确显示中文），不适用于 --format {fmt}：请加上 --format csv，"
    "或去掉 --excel")
TEXT["err.find_one"] = ("find takes exactly one of --phone, --account, --id-number, --name",
                        "find 只接受 --phone、--account、--id-number、--name 中的一个")
TEXT["warn.xlsx_cut"] = (
    "{n} cell(s) longer than the {most} characters a workbook cell holds were cut there; the CSV "
    "(--format csv) carries them whole",
    "{n} 个单元格超过工作簿单元格可容纳的 {most} 个字符，已在该处截断；CSV（--format csv）包含完整内容")
TEXT["err.stdin_is_script"] = (
    "the {field} cannot be read from standard input ('-') here: it is the script this shell is reading; "
    "give the text itself on the line, quoted",
    "此处不能从标准输入（'-'）读取 {field}：标准输入是本 shell 正在读取的命令脚本；请在该行直接给出文本（加引号）")
TEXT["err.overdue_and_due_soon"] = (
    "--overdue and --due-soon exclude each other (a case past its deadline is no longer due soon): give one "
    "of them, or see both with 'complaintctl report overdue --include-due-soon'",
    "--overdue 与 --due-soon 互相排斥（已超时的投诉不再属于即将到期）：请只给出其中之一，"
    "或用 'complaintctl report overdue --include-due-soon' 同时查看两者")
TEXT["err.mine_and_assignee"] = ("--mine and --assignee name the same thing: give one of them",
                                 "--mine 与 --assignee 不能同时使用：请只给出其中之一")

TEXT["warn.below_tier"] = (
    "{n} escalated case(s) are still with someone whose role is below the new tier: reassign each to "
    "someone of the role it needs (complaintctl assign CASE --to NAME):{refs}",
    "{n} 件已升级的案件仍由级别不足的人员处理，请分派给所需级别的人员（complaintctl assign 编号 --to 姓名）：{refs}")
TEXT["below_tier.case"] = ("{ref} ({name}; needs {role})", "{ref}（{name}；需{role}）")


def below_tier_warning(cases: list[dict], lang: str = "en") -> str:
    """The warning both `escalate CASE` and `escalate --overdue` give for escalated cases left with
    someone whose role is below the new tier (each {reference, tier, assignee}): one a line, with
    the role its tier needs (an urgent case: an executive), as a mail's line stays short."""
    needs = [t("below_tier.case", lang, ref=c["reference"], name=c["assignee"],
               role=label(d.TIER_HANDLER[d.Tier(c["tier"])].value, lang, d.Role)) for c in cases]
    return sentence("warn.below_tier", lang, n=len(cases), refs="".join("\n  " + n for n in needs))


TEXT["below_tier"] = ("Below tier", "级别不足")
# why an import rejected a row, beyond a field's own check
TEXT.update({
    "import.reference_again": ("{ref} again after other cases (first at row {row}): a case's rows follow each other, "
                               "as export writes them",
                               "{ref} 在其他案件之后再次出现（首次在第 {row} 行）：同一案件的各行须相邻，与 export 写出的顺序一致"),
    "import.group_rejected": ("{ref}: another of its rows was rejected (a case is imported whole)",
                              "{ref}：该案件的另一行被拒绝（案件须整体导入）"),
    "import.one_row": ("{ref} again at the next row without cycle_* columns (a case is one row, or one row a cycle)",
                       "{ref} 在下一行再次出现但没有 cycle_* 列（一件案件为一行，或每个处理周期一行）"),
    "import.reference_stored": ("{ref} is already in the database: a reference is imported once",
                                "{ref} 已在数据库中：同一编号只导入一次"),
    "import.number_taken": ("its number is taken by case {ref} in this database", "其编号已被本数据库中的案件 {ref} 占用"),
    "import.external_known": ("already imported (case {ref}): external ids are unique", "已导入（案件 {ref}）：外部编号不得重复"),
    "import.external_twice": ("the same as row {row}: external ids are unique", "与第 {row} 行相同：外部编号不得重复"),
})
# import's last line
TEXT.update({
    "import.done": ("imported {n} of {rows} rows from {file}", "已从 {file} 导入 {rows} 行中的 {n} 行"),
    "import.would": ("would import {n} of {rows} rows from {file} (dry run, nothing written)",
                     "将从 {file} 导入 {rows} 行中的 {n} 行（试运行，未写入）"),
    "import.done_cases": ("imported {n} of {rows} rows ({cases} cases) from {file}",
                          "已从 {file} 导入 {rows} 行中的 {n} 行（{cases} 件案件）"),
    "import.would_cases": ("would import {n} of {rows} rows ({cases} cases) from {file} (dry run, nothing written)",
                           "将从 {file} 导入 {rows} 行中的 {n} 行（{cases} 件案件；试运行，未写入）"),
    "import.rejects_written": ("; {n} rejected rows written to {path}", "；{n} 行被拒绝，已写入 {path}"),
})
# import's table of rejected rows
TEXT.update({"import.row": ("Row", "行号"), "import.field": ("Field", "字段"), "import.reason": ("Reason", "原因"),
             "import.rejected": ("Rejected rows", "被拒绝的行")})
# db info's lines
TEXT.update({"info.url": ("URL", "数据库地址"), "info.backend": ("Backend", "数据库类型"), "info.revision": ("Revision", "结构版本"),
             "info.cases": ("Cases", "案件"), "info.cycles": ("Cycles", "处理周期"), "info.events": ("Events", "审计事件"),
             "info.staff": ("Staff", "员工"), "info.open_cases": ("Open cases", "未结案件")})
TEXT["return.not_begun"] = ("{period} has not begun (it starts on {day}): nothing is counted in it yet",
                            "{period} 尚未开始（自 {day} 起）：尚无数据")
TEXT["return.partial"] = ("{period} runs until {day}: these are its figures so far, not the period's return",
                          "{period} 至 {day} 结束：以下为截至目前的数据，并非该期的正式报表")
TEXT["monthly.partial"] = ("{period} runs until {day}: these are its figures so far, not the month's report",
                           "{period} 至 {day} 结束：以下为截至目前的数据，并非该月的正式月报")
TEXT["assignee.below_tier"] = ("{name} (below tier)", "{name}（级别不足）")
TEXT["import.more_rejects"] = ("... and {n} more rejected rows not shown (--skip-invalid writes every one to FILE.rejects.csv)",
                               "……另有 {n} 行被拒未显示（使用 --skip-invalid 时全部写入 文件名.rejects.csv）")
# (a dry run writes no rejects file: what does list them)
TEXT["import.more_rejects_dry"] = ("... and {n} more rejected rows not shown (--json lists the first {kept}; an import "
                                   "with --skip-invalid writes every one to FILE.rejects.csv)",
                                   "……另有 {n} 行被拒未显示（--json 列出前 {kept} 行；不加 --dry-run 而使用 "
                                   "--skip-invalid 导入时全部写入 文件名.rejects.csv）")
TEXT["err.import_invalid_json"] = ("{bad} of {rows} rows in {file} are invalid (the JSON lists {shown}); nothing "
                                   "imported; fix them or use --skip-invalid",
                                   "{file} 共 {rows} 行，其中 {bad} 行无效（JSON 中列出 {shown} 行）；未导入任何数据；"
                                   "请修正，或使用 --skip-invalid")
TEXT["err.import_invalid_all"] = ("{bad} of {rows} rows in {file} are invalid (listed above); nothing imported; "
                                  "fix them or use --skip-invalid",
                                  "{file} 共 {rows} 行，其中 {bad} 行无效（均列于上方）；未导入任何数据；"
                                  "请修正，或使用 --skip-invalid")
TEXT["err.import_invalid"] = ("{bad} of {rows} rows in {file} are invalid (the first {shown} listed above); nothing "
                              "imported; fix them or use --skip-invalid",
                              "{file} 共 {rows} 行，其中 {bad} 行无效（上方列出前 {shown} 行）；未导入任何数据；"
                              "请修正，或使用 --skip-invalid")


# What the CLI's own tables and summaries say (they chose by the language inline before) ----------
TEXT.update({
    "esc.done": ("{n} case(s) escalated as of {when}", "截至 {when} 已升级 {n} 件案件"),
    "esc.would": ("{n} case(s) would escalate as of {when}", "截至 {when} 将升级 {n} 件案件"),
    "esc.move": ("  {ref}: {old} -> {new}", "  {ref}：{old} -> {new}"),
    "esc.skipped": ("{n} overdue case(s) already escalated this working day:", "{n} 件超时案件本工作日已升级过："),
    "esc.not_escalable": ("{n} overdue case(s) not escalated in their present state:", "{n} 件超时案件因当前状态未升级："),
    "esc.changed": ("{n} overdue case(s) changed while this ran, not escalated:", "{n} 件超时案件在运行期间已有变化，未升级："),
    "esc.later_step": ("{n} overdue case(s) not escalated: each has a step after --as-of (an escalation is not "
                       "dated before it):",
                       "{n} 件超时案件未升级：每件在 --as-of 之后已有处理步骤（升级不能早于该步骤）："),
    "warn.unsatisfied": ("the customer is unsatisfied: 'complaintctl reopen {ref} --reason ...' starts a new cycle",
                         "客户不满意：可用 'complaintctl reopen {ref} --reason ...' 重新处理（开始新一轮处理）"),
    "esc.rest_day": ("{n} overdue case(s) not escalated today, not a working day (one tier a working day; the next "
                     "working day's run escalates them):",
                     "{n} 件超时案件今日不升级：今日非工作日（每个工作日至多升级一级，下一个工作日运行时升级）："),
    "esc.reviews": ("{n} overdue review(s) wait for their reviewer's decision (a review is not escalated):",
                    "{n} 件超时核查待核查人作出结论（核查不升级）："),
    "esc.skipped_case": ("  {ref} ({tier})", "  {ref}（{tier}）"),
    "esc.urgent": ("{n} overdue urgent case(s) need executive attention:", "{n} 件超时紧急案件需高管关注："),
    "esc.urgent_case": ("  {ref}", "  {ref}"),
    "overdue.count_line": ("Overdue as of {when}: {total} — {parts}", "截至 {when} 超时案件 {total} 件：{parts}"),
    "list.sep": (", ", "，"),
    "enum.sep": (", ", "、"),  # between the items of a short series (line numbers)
    "list.enum": (", ", "、"),
    "sla.none_resolved": ("No cycles were resolved in {window}.", "{window}期间没有办结的案件。"),
    "sla.open_breached": ("Open cases that have already breached a deadline: {n}", "已超时的未结案件：{n} 件"),
    "summary.received": ("Received", "本期"),
    "summary.previous": ("Previous", "上期"),
    "summary.change": ("Change", "变化"),
    "summary.change_pct": ("%", "变化率"),  # beside "Change": a header "Change %" wrapped a lone % at 80 columns
    "summary.none": ("No complaints in the window.", "该期间没有投诉。"),
    "summary.resolved": ("Resolved", "办结数"),
    "summary.top_causes": ("Top root causes", "主要投诉根因"),
    "summary.repeaters": ("Repeat complainants", "重复投诉客户"),
    "show.related": ("Related", "关联案件"),
    "show.paused": ("Paused", "中止"),
    "show.clocks": ("Clocks", "时限"),
    "show.clock": ("Clock", "时限"),
    "show.cycles": ("Cycles", "处理周期"),
    "show.opened": ("Opened", "开始"),
    "staff.added": ("Added", "登记时间"),
    "codes.used_by": ("Used by", "对应选项"),
    "yes": ("yes", "是"),
    "no": ("no", "否"),
    # the fields an event records, as show's timeline names them (the rest are column headers above)
    "cycle_number": ("Cycle", "处理周期"),
    "handler": ("Handler", "原经办人"),
    "review_requested_at": ("Review requested", "申请核查时间"),
    "reviewer": ("Reviewer", "核查人"),
    "automatic": ("Automatic", "自动"),
    "external_id": ("External ID", "外部编号"),
    "language": ("Language", "语言"),
    "revealed": ("In full", "完整显示"),
    "review_outcome": ("Review outcome", "核查结论"),
    "reviewed_at": ("Review decided", "核查决定时间"),
    "approved_by": ("Approved by", "批准人"),
    "customer_told_at": ("Customer told", "告知客户时间"),
    "regulatory_extension_days": ("Period extended to (days)", "时限延长至（天）"),
    "new_facts": ("New facts", "有新情况"),
    "pause_reason": ("Pause reason", "中止原因"),
    "paused_at": ("Paused", "中止时间"),
    "paused_from": ("Paused from", "中止前状态"),
    "paused_seconds": ("Paused for", "中止时长"),
    "paused_working_seconds": ("Working time paused", "中止的工作时间"),
    "regulatory_paused_seconds": ("Appraisal time left out", "不计入监管时限的鉴定时间"),
    "last_escalated_at": ("Escalated", "升级时间"),
    "internal_breached": ("Internal deadline missed", "超内部时限"),
    "regulatory_breached": ("Regulatory deadline missed", "超监管时限"),
    "show.recorded": ("recorded {when}", "录入于 {when}"),
    "paren": (" ({text})", "（{text}）"),
    "show.review_by": ("asked {at}, reviewer {who}", "{at} 申请，核查人 {who}"),
    "show.review_outcome": ("; decided: {outcome}", "；核查结论：{outcome}"),  # an aside after a word, in the language's own brackets
    "show.field": ("{name}: {value}", "{name}：{value}"),
})


def label_columns(lang: str) -> tuple[str, str]:
    """The columns of a choice's labels (`choices`), the output's language first."""
    return ("chinese", "english") if lang == "zh" else ("english", "chinese")


def pick(pair: tuple[str, str], lang: str) -> str:
    """One of an (English, Chinese) pair of texts kept beside other labels (a table's own headers)."""
    return pair[1] if lang == "zh" else pair[0]


def calendar_locale(lang: str) -> str:
    """The locale the business calendar names days in, for `lang`."""
    return "zh_CN" if lang == "zh" else "en_US"


def weekday_names(lang: str) -> list[str]:
    """The names of the days of the week, Monday first, in `lang`."""
    return WEEKDAYS["zh" if lang == "zh" else "en"]


def choice_word(value: str, lang: str, enum) -> str:
    """A choice inside a line of text: as stored (general, urgent) in English, its label in Chinese."""
    return label(value, lang, enum) if lang == "zh" else value


# What the administration commands say when they succeed (cli/admin.py, cli/transfer.py).
TEXT.update({
    "done.staff_added": ("{name} added ({role})", "已登记员工 {name}（{role}）"),
    "done.staff_deactivated": ("{name} deactivated", "员工 {name} 已停用"),
    "done.staff_reactivated": ("{name} reactivated", "员工 {name} 已恢复启用"),
    "note.assigned_again": ("{n} open case(s) still assigned to {name} are theirs to handle again; cases reassigned "
                            "while they were deactivated stay with their new handlers (complaintctl list --assignee {name})",
                            "仍分派给 {name} 的 {n} 件未结案件由其继续处理；停用期间已改派的案件仍由新的处理人处理"
                            "（complaintctl list --assignee {name}）"),
    "done.staff_role": ("{name} is now {role}", "{name} 的角色已改为{role}"),
    "done.staff_role_same": ("{name} is already {role}: nothing changed", "{name} 的角色已是{role}：未作更改"),
    "done.staff_login": ("{name} runs the tool as {login}", "{name} 以登录账户 {login} 使用本工具"),
    "warn.still_assigned": ("{n} open case(s) are still assigned to {name}: reassign them "
                            "(complaintctl list --assignee {name})",
                            "仍有 {n} 件未结案件分派给 {name}：请改派（complaintctl list --assignee {name}）"),
    "warn.prefix": ("warning: {text}", "注意：{text}"),
    "err.prefix": ("error: {text}", "错误：{text}"),
    "done.masking": ("masking is {state}", "脱敏已{state}"),
    "done.masking_unchanged": ("masking is {state} (unchanged)", "脱敏已{state}（未改变）"),
    "masking.on": ("on", "开启"),
    "masking.off": ("off", "关闭"),
    "done.upgraded": ("upgraded to revision {rev}", "已升级至版本 {rev}"),
    "done.at_revision": ("already at revision {rev}", "已是版本 {rev}"),
    "done.repaired": ("repaired: {what} written again", "已修复：重新写入 {what}"),
    "done.admin_mapped": ("no active administrator: the database's owner {login!r} was mapped to one",
                          "没有在职的系统管理员：已将数据库所有者 {login!r} 登记为系统管理员"),
    "done.check_ok": ("ok: integrity, foreign keys, state replay and audit chain all hold",
                      "正常：完整性、外键、状态重放和审计链均无问题"),
    "done.backup": ("backup written to {file} ({bytes} bytes, integrity {integrity})",
                    "备份已写入 {file}（{bytes} 字节，完整性检查：{integrity}）"),
    "err.scrub_busy": ("anonymised {n} case(s) ended before {date}, but another process reading the database kept "
                       "the erased values in its file and WAL: when no one is reading it, run 'complaintctl db purge "
                       "--closed-before {date}' again, which removes them",
                       "已匿名化 {date} 之前办结的 {n} 件案件，但有其他进程正在读取数据库，被清除的信息仍留在数据库文件及其 WAL 中："
                       "请在无人读取时再次运行 'complaintctl db purge --closed-before {date}' 以彻底清除"),
    "warn.scrub_owner": ("the erased values' old row versions stay in the server's files until a VACUUM of "
                         "personal_data and cases by the tables' owner (or autovacuum) recycles them: this login may "
                         "not vacuum them",
                         "被清除信息的旧行版本仍留在服务器文件中，须由表的属主对 personal_data 与 cases 执行 VACUUM（或待自动清理）"
                         "后才会回收：当前登录无权执行 VACUUM"),
    "done.purged": ("anonymised {n} case(s) ended before {date}", "已匿名化 {date} 之前办结的 {n} 件案件"),
    "done.would_purge": ("would anonymise {n} case(s) ended before {date}", "将匿名化 {date} 之前办结的 {n} 件案件（未写入）"),
    "done.exported": ("exported {n} rows to {output}", "已导出 {n} 行至 {output}"),
})

EN = "en"
ZH = "zh"  # the language of the regulator's forms, the decision letter and the code book's names
TEXT.update({
    "span.working_days": ("{days}wd {hours}h", "{days}工作日{hours}小时"),  # as span.working_days_hours
    "span.hours": ("{hours}h {minutes:02d}m", "{hours}小时{minutes}分"),
})


# report sla's own column headers (the list's keys mean other things there)
# The regions the demo's sample branches report under (the quarterly return's by-region table).
DEMO_REGIONS = {"BJ000": "总行营业部", "BJ001": "北京市东城区", "BJ002": "北京市海淀区"}

SLA_HEADERS = {
    "resolved": ("Resolved", "办结数"), "within_internal_pct": ("Within internal limit", "内部时限内"),
    "within_regulatory_pct": ("Within regulatory limit", "监管时限内"),
    "first_time_resolution_pct": ("First-time resolution", "一次办结率"), "reopen_pct": ("Reopened", "重开率"),
    "median_working_days": ("Median (wd)", "中位数（工作日）"), "p90_working_days": ("P90 (wd)", "P90（工作日）"),
    "urgent_response_pct": ("Urgent plan in 24h", "紧急24小时方案"),
    "reviews_decided": ("Reviews decided", "核查办结数"), "reviews_within_30_days_pct": ("Reviews in 30 days", "核查30日内"),
}


# Help pages in Chinese (issue 15) ------------------------------------------------------------
# cli/helptext.py puts these on the command tree before Click shows any help. HELP_ZH is keyed
# by the command's path ("log", "report overdue"; "" is the top level) and, for a parameter, the
# path and its longest option or an argument's name in capitals ("log --channel", "assign CASE").
# A command's text is its help without the Example lines (those stay English, as typed).
# HELP_ZH_SHARED translates the options declared once in cli/options.py (and Typer's own), by
# their English help, for every command that uses them. tests/cli/test_help_zh.py fails when a
# command or parameter with English help has no Chinese here.

TEXT["help.usage"] = ("Usage: ", "用法：")
HELP_ZH_HEADINGS = {"Options": "选项", "Arguments": "参数", "Commands": "命令"}
# Chinese typography of the help pages (cli/helptext.py wraps by it): the punctuation that never
# starts a line, the punctuation that never ends one, the full stop ending a command's summary
# sentence, and the colon after a heading.
ZH_NO_LINE_START = frozenset("，。、；：）」』！？》,.;:)")
ZH_NO_LINE_END = frozenset("（「『《(")
ZH_FULL_STOP = "。"
ZH_COLON = "："
_HELP_ZH_MARKS = (("[required]", "[必填]"), ("[default: ", "[默认："), ("Show this message and exit.", "显示本帮助并退出。"))


def help_zh(key: str, english: str) -> str | None:
    """The Chinese help of a command or parameter (HELP_ZH by key, else HELP_ZH_SHARED by its
    English text), or None."""
    return HELP_ZH.get(key) or HELP_ZH_SHARED.get(english)


def help_zh_marks(text: str) -> str:
    """Typer's and Click's own words in an option's help line ([required], the help option) in Chinese."""
    for en, zh in _HELP_ZH_MARKS:
        text = text.replace(en, zh)
    return text


HELP_ZH_SHARED: dict[str, str] = {
    "Case reference (C-2026-000123) or numeric id.": "案件编号（如 C-2026-000123）或数字序号。",
    "When it really happened (ISO 8601; default now; not in the future, not before receipt).":
        "实际发生时间（ISO 8601；默认当前时间；不得晚于当前，不得早于受理时间）。",
    "Evaluate clocks at this time instead of now (ISO 8601).": "按此时间而非当前时间计算各项时限（ISO 8601）。",
    "Print the resulting case as one JSON object.": "以一个 JSON 对象输出处理后的案件。",
    "Print the result as one JSON object.": "以一个 JSON 对象输出结果。",
    "table, csv, json or jsonl.": "输出格式：table（表格）、csv、json 或 jsonl。",
    "table, csv, json, jsonl or xlsx (a workbook: needs --output).":
        "输出格式：table（表格）、csv、json、jsonl 或 xlsx（工作簿：须给出 --output）。",
    "table or json (--json is short for --format json).": "输出格式：table（表格）或 json（--json 即 --format json）。",
    "Short for --format json.": "即 --format json。",
    "Write to this file (atomically) instead of stdout ('-': stdout).": "写入此文件（原子写入），不输出到标准输出（'-' 表示标准输出）。",
    "CSV with a byte-order mark, so Excel shows Chinese correctly.": "CSV 文件带字节顺序标记（BOM），Excel 打开时中文不乱码。",
    "Rows shown in a table (default 100); csv/json always carry all.": "表格显示的行数（默认 100）；csv/json 始终输出全部。",
    "Show every row in a table (csv/json always carry every row).": "表格显示全部行（csv/json 始终输出全部）。",
    "Registered staff name.": "已登记的员工姓名。",
    "Install completion for the current shell.": "为当前 shell 安装命令补全。",
    "Show completion for the current shell, to copy it or customize the installation.":
        "显示当前 shell 的补全脚本，以便复制或自行安装。",
}

HELP_ZH: dict[str, str] = {
    "": "登记、跟踪和统计银行客户投诉，按投诉等级时限和监管时限管理。",
    "--db": "数据库路径或 SQLAlchemy URL（未给出时用 COMPLAINTCTL_DB，再否则用用户数据目录）。",
    "--config": "TOML 配置文件（未给出时用 COMPLAINTCTL_CONFIG、./complaintctl.toml、用户配置目录）。",
    "--as": "代已登记的员工办理（仅限系统管理员；按其角色校验，事件同时记录双方）。",
    "--lang": "en 或 zh：标签、表头、提示信息和帮助的语言。",
    "--debug": "出错时显示完整的错误堆栈。",
    "--version": "显示版本号并退出。",

    # Cases
    "log": "登记一件新投诉并显示其编号（重复投诉则记在原案件上）。",
    "log --channel": "投诉渠道：hotline、online_banking、mobile_app、branch_counter、suggestion_box、letter、email、"
                     "regulator_referral、other（也可填中文名称）。",
    "log --description": "投诉内容；填 '-' 时从标准输入读取。",
    "log --customer": "客户姓名。",
    "log --phone": "手机 13812345678 或 138-1234-5678，固话 (010) 6234 5678 或 010-62345678，或 + 加国家代码；统一格式保存。",
    "log --email": "客户电子邮件地址。",
    "log --account": "涉及的账号或卡号（12 至 19 位数字）。",
    "log --product": "产品：deposit、wealth_management、fund、insurance_agency、loan、credit_card、payment、forex、other。",
    "log --category": "投诉类别：service_attitude、misselling、disclosure、fees、product_return、contract_terms、"
                      "fund_safety、information_security、system_failure、debt_collection、other。",
    "log --tier": "投诉等级：general、important 或 urgent（一般/重要/紧急）。",
    "log --branch": "网点代码；默认取配置中的 branch。",
    "log --department": "涉及的部门（第一个为牵头部门）；可重复。",
    "log --received-at": "客户投诉的时间（ISO 8601；默认当前时间；不得晚于当前）。",
    "log --related": "本次确属新投诉，所承接的此前案件编号。",
    "log --repeat-of": "原案件 CASE 处理期间的同一投诉：记在 CASE 上，不新建案件。",
    "log --id-type": "身份证件类型：resident_id（给出 --id-number 时默认）、passport、hk_macao_permit、taiwan_permit、"
                     "foreign_residence、other。",
    "log --id-number": "证件号码（敏感信息：与账号一样处处脱敏）。",
    "log --agent": "代理投诉人办理的代理人姓名（须同时给出 --agent-authority）。",
    "log --agent-authority": "代理人授权委托书的编号。",
    "log --complained-staff": "被投诉的员工（如有；该员工不得办理或核查此案件）。",
    "log --request": "投诉人的诉求（投诉内容之外）。",
    "log --new-facts": "与 --repeat-of 同用：提出了新的事实或理由，CASE 的时限自 --received-at 起重新计算。",
    "assign": "将案件分派给角色与投诉等级相符的员工。",
    "assign --to": "主办人：已登记的员工。",
    "assign --with": "协办人（已登记的员工）；每位成员重复一次。",
    "assign --department": "承办部门（第一个为牵头部门）；可重复。",
    "assign --override": "分派给低于该等级要求的经办人（须给出 --reason；留痕审计）。",
    "assign --reason": "越级分派的理由。",
    "escalate": "将案件升级到更高等级；或用 --overdue 将所有逾期案件各升一级。",
    "escalate CASE": "案件编号（如 C-2026-000123）或序号；使用 --overdue 时省略。",
    "escalate --to": "important 或 urgent（重要或紧急）。",
    "escalate --reason": "升级的理由。",
    "escalate --overdue": "将所有逾期的一般投诉和重要投诉各升一级（供定时任务使用）。",
    "escalate --dry-run": "与 --overdue 同用：只显示将要变更的案件，不写入。",
    "escalate --format": "与 --overdue 同用：输出格式 table（表格）或 json（--json 即 --format json）。",
    "respond": "登记给客户的首次答复（紧急投诉为初步处理方案）。",
    "respond --text": "向客户作出的答复或初步方案；填 '-' 时从标准输入读取。",
    "note": "添加跟进记录（紧急投诉每个工作日都须跟进）。",
    "note TEXT": "跟进内容；填 '-' 时从标准输入读取。",
    "pause": "等待期间中止案件计时（鉴定期间监管时限也中止）。",
    "pause --reason": "中止原因：customer_materials（等待客户补充材料）、appraisal（鉴定）或 other（其他）。",
    "pause --note": "等待的事项。",
    "resume": "恢复已中止案件的计时；各项时限按中止的工作时间顺延。",
    "extend": "复杂案件的监管时限延期至自受理起 30 日或 60 日：由审批人办理。",
    "extend --to": "自受理起计算的总期限（日）：30（中层管理人员审批）或 60（高级管理人员审批；上限）。",
    "extend --approved-by": "审批人，必须是当前操作员本人（校验并记录）。",
    "extend --reason": "案件需要延期的理由。",
    "extend --customer-told-at": "告知客户延期及理由的时间（须在原时限届满前；批准延期时必填）。",
    "extend --request": "提交延期申请，由审批人批准（任何经办人均可提交）。",
    "resolve": "登记处理决定及已告知客户（--at：以此计算是否在时限内办结）。",
    "resolve --resolution": "处理决定及告知客户的内容；填 '-' 时从标准输入读取。",
    "resolve --root-cause": "经核实的实际问题类别。",
    "resolve --notified-via": "告知客户的方式：phone、sms、letter、in_person 或 email。",
    "resolve --facts": "查明的事实。",
    "resolve --basis": "处理依据（合同条款、制度、法律法规）。",
    "resolve --relief": "告知客户的救济途径，逗号分隔：review、mediation、arbitration、litigation（默认四项全部）。",
    "resolve --decided-at": "作出处理决定的时间（默认同 --at；不得晚于 --at）。",
    "reopen": "客户对已办结案件不满意时重新处理：开启新的处理周期和新的时限。",
    "reopen --reason": "客户不满意的原因。",
    "close": "按客户满意度评价关闭已办结的案件。",
    "close --satisfaction": "满意度：satisfied（满意）、unsatisfied（不满意）或 no_response（未回复）。",
    "withdraw": "登记投诉人撤回投诉：投诉处理程序于当日终止。",
    "withdraw --reason": "投诉人撤回时的说明。",
    "review": "登记客户对处理决定提出的核查申请，由上级机构核查：30 日内作出核查决定。",
    "review --requested-at": "客户申请核查的时间（处理决定作出后 30 日内）。",
    "review --reviewer": "核查人：级别高于经办人或其他网点的已登记员工。",
    "review-decide": "登记核查决定：维持或变更原处理决定。",
    "review-decide --outcome": "upheld 或 changed（维持/变更）。",
    "review-decide --text": "告知客户的核查结论；填 '-' 时从标准输入读取。",
    "show": "查看案件：案件信息、各项时限的剩余时间或逾期情况、处理周期和完整时间线。",
    "show --reveal": "显示完整的个人信息（中层及高级管理人员；留痕审计）。",
    "list": "列出案件，最新的在前：默认只列未办结的，含状态和到期列。",
    "list --status": "只列此状态。",
    "list --tier": "只列此等级。",
    "list --assignee": "只列此经办人。",
    "list --mine": "只列分派给我（当前操作员）的案件。",
    "list --branch": "只列此网点。",
    "list --channel": "只列此渠道。",
    "list --product": "只列此产品。",
    "list --overdue": "只列已超过时限的案件。",
    "list --due-soon": "只列在即将到期阈值内到期的案件。",
    "list --stale": "只列未按时跟进的紧急投诉。",
    "list --all": "包括已办结和已关闭的案件（表格中显示全部行）。",
    "find": "按一项标识查找来电客户的全部案件（含已关闭）；个人信息与 list 一样脱敏。",
    "find --phone": "来电号码，任意写法均可（空格、短横线、括号、+86）。",
    "find --account": "账号或卡号（忽略空格和短横线）。",
    "find --id-number": "身份证件号码。",
    "find --name": "登记的客户姓名。",

    # Administration
    "choices": "列出各选项可接受的值（英文和中文）及其 JR/T 0169-2018 代码。",
    "choices FIELD": "tier、status、channel、product、category、role、pause_reason、notified_via、satisfaction；"
                     "或 codes（JR/T 0169 代码表）。",
    "demo": "在单独的演示数据库中生成示例投诉，并显示未办结和逾期的案件。\n\n"
            "未给出 --db（或 COMPLAINTCTL_DB）时，演示数据写入用户数据目录下的 demo.db，绝不写入 init 建立的正式投诉台账。",
    "demo --count": "生成的投诉件数。",
    "demo --days": "分布在过去多少天内。",
    "demo --seed": "随机种子（相同种子生成相同数据）。",
    "demo --force": "数据库中已有案件时仍添加示例数据。",
    "init": "初始化网点：写入配置文件，创建数据库并登记首批员工。",
    "init --branch": "本网点代码，作为 log 的默认网点。",
    "init --timezone": "IANA 时区（默认 Asia/Shanghai）。",
    "init --country": "工作日历所属国家（默认 CN）。",
    "init --language": "en 或 zh。",
    "init --staff": "姓名:角色 或 姓名:角色:登录账户，可重复（如 zhangwei:manager:zhangwei）。",
    "init --path": "配置文件的写入位置（默认：用户配置目录下的 config.toml，在任何目录下都能找到）。",
    "init --force": "覆盖已有的配置文件。",
    "init --yes": "未给出的项一律取默认值，不作询问。",
    "shell": "在柜面以一个会话连续办理：命令照常输入，支持历史记录和 Tab 补全。\n\n"
             "每条命令的规则、操作员和输出都与在系统 shell 中运行时相同，只是在同一进程、同一数据库连接中执行。"
             "Tab 可补全命令、选项、案件编号、员工和选项值（含中文名称）；输入 exit、quit 或按 Ctrl-D 退出。",
    "staff": "登记和列出处理投诉的员工。",
    "staff add": "登记员工及其角色和运行本工具所用的登录账户（仅限系统管理员）。",
    "staff add NAME": "在 --to、--as 和审计记录中使用的姓名。",
    "staff add --role": "staff（一般投诉）、manager（重要投诉）、executive（紧急投诉）、admin（员工、登录账户、策略）、"
                        "system（定时任务：报表、escalate --overdue）。",
    "staff add --branch": "所属网点（默认：配置的网点）。中层管理人员只能查看本网点案件的完整个人信息。",
    "staff add --login": "运行本工具所用的账户（操作系统账户；PostgreSQL 登录名）。",
    "staff add --department": "所属部门（随其案件显示）。",
    "staff deactivate": "停止向已离职或调岗的员工分派案件；其历史记录保留。",
    "staff reactivate": "撤销员工停用（仅限系统管理员；留痕）：其可再次使用本工具，停用期间已改派的案件不会收回。",
    "staff role": "变更员工的角色（仅限系统管理员；留痕）。",
    "staff role ROLE": "staff、manager、executive、admin 或 system。",
    "staff login": "将员工与其运行本工具所用的登录账户对应（仅限系统管理员；留痕）。",
    "staff login LOGIN": "运行本工具所用的操作系统账户或 PostgreSQL 登录名。",
    "staff list": "列出已登记的员工，级别高的在前。",
    "db": "数据库信息、迁移、检查、备份和保存期限。",
    "db info": "显示数据库 URL、数据库结构版本和各表行数。",
    "db upgrade": "将数据库结构升级到当前版本（首次使用时也会自动升级）。",
    "db check": "检查数据完整性、外键、每件案件的状态与其事件是否一致、审计哈希链及锚点。",
    "db check --anchors": "'db anchor' 输出的锚点文件：每一行都必须仍与审计链相符。",
    "db anchor": "将审计链的链头（事件数、最后编号、其哈希值、时间）输出为一行，另行保存。\n\n"
                 "每天发送给网点以外的人员，或追加到一次写入存储中；日后 'db check --anchors FILE' "
                 "可证明审计链在每个锚点之前既未被截短也未被改写。",
    "db anchor FILE": "同时将该行追加到此文件（文件不存在时以 0600 权限创建）。",
    "db backup": "对 SQLite 数据库做一致性备份，他人正在写入时也可安全进行。",
    "db backup FILE": "备份写入的新文件。",
    "db purge": "对某日期之前结束（关闭、撤回或核查已决定）的案件的个人信息做匿名化处理（不删除），并留痕。",
    "db purge --closed-before": "对此日期（YYYY-MM-DD）之前关闭、撤回或核查已决定的案件做匿名化处理。",
    "db purge --dry-run": "列出将被匿名化的案件（每行一个编号），不写入。",
    "calendar": "工作日历及据此计算的时限。",
    "calendar show": "列出当年的非工作日（周一至周五）和调休上班的周末。",
    "calendar show --year": "要列出的年份（默认：今年）。",
    "calendar due": "显示案件将得到的各项时限及每项的计算过程。",
    "calendar due --tier": "general、important 或 urgent（一般/重要/紧急）。",
    "calendar due --received-at": "投诉的受理时间（ISO 8601）。",
    "calendar due --extended-to": "按监管时限已延期至自受理起 30 日或 60 日计算。",
    "calendar due --restarted-at": "新的事实（或重新处理）使各项时限自此时间起重新计算。",
    "calendar due --told-at": "告知客户处理决定的时间：据此计算申请核查的最后一天。",
    "calendar due --review-requested-at": "客户申请核查的时间：核查另有 30 日时限。",
    "config": "当前生效的配置。",
    "config show": "显示每项生效的设置及其取值来源。",
    "config adopt": "采用配置文件中的时限规则作为本数据库的规则（仅限系统管理员；留痕）：时区、日历、各级时限、监管时限、重新处理期限。已受理的案件保留原有时限。",
    "config adopt --reason": "理由（留痕）。",
    "masking": "个人信息脱敏策略，保存在数据库中。",
    "masking show": "显示个人信息是否在所有输出中脱敏（除非系统管理员关闭，否则一直开启）。",
    "masking on": "在所有输出和导出中对个人信息脱敏（仅限系统管理员；留痕）。",
    "masking on --reason": "理由（留痕）。",
    "masking off": "对所有人显示未脱敏的个人信息（仅限系统管理员；留痕；请慎重）。",
    "masking off --reason": "理由（留痕）。",

    # Import and export
    "import": "从 CSV 导入历史投诉：全部行导入或一行都不导入，每行记一条导入事件。",
    "import FILE": "带表头行的 CSV 文件。",
    "import --map": "字段=列名（列名可写作 A|B：取第一个非空的列）；可重复。",
    "import --value-map": "字段:原值=目标值，原值写 * 表示其他任何值；可重复。",
    "import --date-format": "日期的 strptime 格式，如 %Y/%m/%d（默认 ISO 8601）。",
    "import --encoding": "文件编码，如中文 Excel 导出的文件用 gb18030。",
    "import --dry-run": "只校验并计数，不写入。",
    "import --skip-invalid": "导入有效的行；被拒的行写入 FILE.rejects.csv。",
    "import --json": "以 JSON 输出导入结果。",
    "export": "导出全部案件及其处理周期，流式输出，个人信息脱敏。\n\n"
              "--from 和 --to 只保留在该期间受理的案件（一张电子表格约可容纳一百万行）。",
    "export --format": "csv（每个处理周期一行）、jsonl（每件案件一行，处理周期在其中）或 xlsx（同 csv，单元格有类型；须给出 --output）。",
    "export --from": "只导出在此日期（或时间）当天及之后受理的案件。",
    "export --to": "只导出截至此日期（含当天）或时间受理的案件。",

    # Reports
    "report": "供人员查阅、定时任务和电子表格使用的报表。",
    "report overdue": "所有超过内部时限或监管时限的未办结案件，逾期最久的在前。",
    "report overdue --include-due-soon": "同时列出在阈值内即将到期的案件。",
    "report overdue --fail-on-overdue": "有任何案件逾期时以退出码 3 退出（供定时任务和监控使用）。",
    "report overdue --branch": "只看该网点的案件。",
    "report overdue --assignee": "只看该经办人的案件。",
    "report overdue --tier": "general、important 或 urgent（也可用中文名称）。",
    "report overdue --channel": "只看经该渠道受理的案件（也可用中文名称）。",
    "report overdue --product": "只看涉及该产品的案件（也可用中文名称）。",
    "report due-soon --branch": "只看该网点的案件。",
    "report due-soon --assignee": "只看该经办人的案件。",
    "report due-soon --tier": "general、important 或 urgent（也可用中文名称）。",
    "report due-soon": "尚未逾期、将在下一个工作日内到期的未办结案件（阈值在配置中设置）。",
    "report sla": "某期间内办结的处理周期的时限达标情况，按一个维度分组。",
    "report late-entries": "在时限届满后才录入、所记日期却早于该时限的处理步骤：仅凭其 --at 才算按时，供审计核查。",
    "report late-entries --from": "录入时间窗口的起点（含当天；默认不限）。",
    "report late-entries --to": "录入时间窗口的终点（日期包括该日全天；默认不限）。",
    "report late-entries --branch": "只看该网点的案件。",
    "report late-entries --region": "只统计一个地区的网点（配置中的 [regions]）。",
    "report late-entries --dated": "--from 与 --to 按步骤所记日期（其 --at）而非录入时间划定：即报表统计的期间。",
    "report sla --from": "期间起点（日期或时间，含当天；默认：本月 1 日）。",
    "report sla --to": "期间终点（日期包括该日全天；默认：当前）。",
    "report sla --by": "tier、branch、assignee、department、channel、product 或 category（也可填中文名称：等级、网点、渠道……）。",
    "report aging": "未办结案件按自受理起的工作日数分段统计，按等级分列，含合计。",
    "report summary": "按维度统计受理的投诉，并与上一期间对比：哪些在上升及其原因。",
    "report summary --from": "期间起点（含当天）。",
    "report summary --to": "期间终点（日期包括该日全天）。",
    "report summary --by": "channel、product、category、branch 或 tier（也可填中文名称：渠道、产品……）；最多三个，用逗号分隔。",
    "report regulatory": "按 JR/T 0169 代码、按网点和地区编制的季度投诉报表，报送监管部门。\n\n"
                         "按业务类型 × 投诉原因和按渠道统计受理量；按网点和地区统计：15 日内办结、延期内办结或超期办结、"
                         "撤回、重复投诉、核查及其结果、期末未结。",
    "report regulatory --quarter": "季度，如 2026Q3。",
    "report regulatory --month": "或某一个月，如 2026-07（即月度报告的数字）。",
    "report regulatory --branch": "只统计一个网点（默认：全部）。",
    "report regulatory --region": "只统计一个地区的网点（配置中的 [regions]）。",
    "report regulatory --format": "table、csv、json 或 xlsx（xlsx 须给出 --output）。",
    "report monthly": "提交董事会的月度管理报告：一个含 SVG 图表的 HTML 文件。\n\n"
                      "投诉量及 12 个月趋势、主要投诉原因、按等级和网点的时限达标情况、账龄、核查、"
                      "重复投诉人（脱敏）、到期及逾期的整改措施。",
    "report monthly --month": "月份，如 2026-10。",
    "report monthly --format": "html（一个独立的网页）或 json（其中的数字）。",

    # Regulator: decision letters and remediation
    "letter": "根据 resolve 登记的处理决定，生成致客户的处理决定告知书（HTML）。",
    "letter --language": "zh（默认）或 en。",
    "letter --reveal": "显示客户的完整姓名和联系方式（中层及高级管理人员）。",
    "action": "根据投诉分析确定的溯源整改措施。",
    "action add": "登记一项整改措施及其责任人和完成期限，并关联相关的投诉案件。",
    "action add --title": "要改进的内容（产品、制度、话术、培训……）。",
    "action add --root-cause": "针对的投诉类别（见 'choices category'）。",
    "action add --owner": "负责落实的已登记员工。",
    "action add --due": "完成期限（YYYY-MM-DD）；次日起为逾期。",
    "action add --product": "涉及的产品（如有）。",
    "action add --case": "引发该措施的投诉案件（可重复）。",
    "action done": "将整改措施标记为已完成，并附佐证。",
    "action done ACTION_ID": "整改措施的序号（见 'action list'）。",
    "action done --evidence": "证明已完成的材料（文件、通知、培训记录）。",
    "action done --at": "完成时间（ISO 8601；默认当前时间；不得晚于当前）。",
    "action list": "列出整改措施，到期早的在前，并显示逾期天数。",
    "action list --overdue": "只列已过完成期限的未完成措施。",
    "action list --status": "open（未完成）或 done（已完成）。",
}


def is_chinese(lang: str) -> bool:
    """Whether `lang` is Chinese (for layout that differs beyond the words: help's line breaking)."""
    return lang == ZH


# Click's usage errors, said again in Chinese (cli/errors.usage_text) -----------------------------
TEXT.update({
    "usage.hint": (" (see '{path} --help')", "（参见 '{path} --help'）"),
    "usage.no_such_option": ("no such option: {name}", "没有选项 {name}"),
    "usage.did_you_mean": (" (did you mean {names}?)", "（是否要用 {names}？）"),
    "usage.missing": ("missing {name}", "缺少 {name}"),
    "usage.bad_value": ("invalid value for {name}: {why}", "{name} 的值无效：{why}"),
    "usage.needs_value": ("{name} needs a value", "{name} 需要一个取值"),
    "usage.integer": ("expected a whole number", "应为整数"),
    "usage.at_least": ("expected a whole number, {n} or more", "应为不小于 {n} 的整数"),
    "usage.at_most": ("expected a whole number, at most {n}", "应为不大于 {n} 的整数"),
    "usage.no_such_command": ("no such command {name!r}", "没有命令 {name!r}"),
    "usage.extra": ("unexpected extra argument(s): {args}", "多余的参数：{args}"),
})


# The Example lines of the commands whose examples hold Chinese values (what an operator types at a
# Chinese counter). cli/helptext.py puts them under the command's help in both languages, as the
# Example lines written in a command's docstring are.
HELP_EXAMPLES: dict[str, tuple[str, ...]] = {
    "log": (
        "complaintctl log --channel hotline --customer 张三 --phone 13812345678 --product wealth_management --category misselling --description \"理财产品风险未充分揭示\"",
        "complaintctl log --repeat-of C-2026-000001 --channel hotline --description \"客户再次来电催问进度\"",
    ),
    "assign": (
        "complaintctl assign C-2026-000001 --to wangfang --department 个人金融部",
        "complaintctl assign C-2026-000002 --to zhangwei --with wangfang --with liqiang --department 个人金融部 --department 法律合规部",
    ),
    "escalate": (
        "complaintctl escalate C-2026-000001 --to important --reason \"客户多次来电，涉及金额较大\"",
        "complaintctl escalate --overdue",
    ),
    "respond": (
        "complaintctl respond C-2026-000001 --text \"已联系客户，说明处理方案\"",
    ),
    "note": (
        "complaintctl note C-2026-000001 \"再次致电客户，客户同意等待调查结果\"",
    ),
    "pause": (
        "complaintctl pause C-2026-000001 --reason customer_materials --note \"等待客户提供转账凭证\"",
    ),
    "extend": (
        "complaintctl extend C-2026-000001 --to 30 --reason \"需司法鉴定\" --customer-told-at 2026-03-10T11:00",
    ),
    "resolve": (
        "complaintctl resolve C-2026-000001 --resolution \"退还手续费200元\" --facts \"年费未事先告知\" --basis \"领用合约第5条\" --root-cause fees --notified-via phone",
    ),
    "reopen": (
        "complaintctl reopen C-2026-000001 --reason \"客户对退费金额不满意\"",
    ),
    "withdraw": (
        "complaintctl withdraw C-2026-000001 --at 2026-03-05T15:00 --reason \"客户来电表示问题已自行解决\"",
    ),
    "review-decide": (
        "complaintctl review-decide C-2026-000001 --outcome upheld --text \"经核查，原处理决定适当\"",
    ),
    "action add": (
        "complaintctl action add --title \"重新培训理财产品风险揭示话术\" --root-cause misselling --product wealth_management --owner zhangwei --due 2026-12-31 --case C-2026-000012",
    ),
    "action done": (
        "complaintctl action done 3 --evidence \"2026-12-20 全辖培训，签到表存档\"",
    ),
    "import": (
        "complaintctl import history.csv --map received_at=受理日期 --map description=投诉内容 --date-format %Y/%m/%d",
    ),
}


# Errors: every line an error can say, in English and Chinese --------------------------------------
# An error is made from one of these keys and its values (errors.py); labels.error_text writes it.
# InvalidValue says "invalid FIELD 'VALUE': expected ..." with one of the acc.* texts after it.
TEXT.update({
    "err.invalid": ("invalid {field} {shown!r}: expected {accepted}", "{field} 的值 {shown!r} 无效：应为{accepted}"),
    "err.illegal_move": ("cannot {action} a case that is {status}; allowed from {status}: {allowed}",
                         "案件当前状态为「{status}」，不能执行「{action}」；该状态下可执行：{allowed}"),
    "err.unknown_case": ("unknown case {key!r}: expected the reference of an existing case (see 'complaintctl list --all')",
                         "未找到案件 {key!r}：应为已有案件的编号（见 complaintctl list --all）"),
    "err.unknown_staff": ("unknown {field} {name!r}: expected registered staff (see 'complaintctl staff list')",
                          "{field} {name!r} 不是已登记员工（见 complaintctl staff list）"),
    "err.unknown_action": ("no remediation action {key!r}: expected a number listed by 'complaintctl action list'",
                           "没有编号为 {key!r} 的整改措施：应为 complaintctl action list 列出的编号"),
    "err.action_done": ("remediation action {id} is already done ({at}); nothing to change",
                        "整改措施 {id} 已于 {at} 完成；无需更改"),
    "err.check_anchors_file": ("{count} problem(s) found, each a line of the anchors file that is not a whole anchor: "
                               "what those lines anchored could not be checked; the database and every whole anchor "
                               "showed no problem",
                               "发现 {count} 个问题，均为锚点文件中不完整的锚点行：无法核对这些行所锚定的内容；"
                               "数据库本身及各完整锚点未发现问题"),
    "err.check_failed": ("{count} problem(s) found: the database does not hold what its history says",
                         "发现 {count} 个问题：数据库内容与其历史记录不符"),
    "err.stored_time": ("the database holds a time that cannot be read (a row changed outside complaintctl?): "
                        "'complaintctl db check' lists where; restore those rows from a backup",
                        "数据库中有无法读取的时间（是否有记录在本工具之外被改动？）：运行 'complaintctl db check' "
                        "列出位置，并从备份恢复这些记录"),
    "err.overdue_found": ("{count} overdue case(s) found (--fail-on-overdue)", "发现 {count} 件超时案件（--fail-on-overdue）"),
    "err.interrupted": ("interrupted", "已中断"),
    "note.type_text": ("type the text, then press Ctrl-D on a line of its own to end it (Ctrl-C cancels)",
                       "请输入文字，输入完毕后在新的一行按 Ctrl-D 结束（按 Ctrl-C 取消）"),
    "err.saved_output_lost": ("{why}: {ref} was saved, but what the command prints could not be written: do not run "
                              "it again", "{why}：{ref} 已保存，但命令的输出未能写出：请勿再次执行该命令"),
    "err.output_after_save": ("{why}; the change itself was saved: do not run the command again",
                              "{why}；变更本身已保存：请勿再次执行该命令"),
    "err.stdin_not_utf8": ("standard input is not UTF-8 text: expected UTF-8", "标准输入不是 UTF-8 文本：应为 UTF-8"),
    "err.escalate_needs": ("escalate needs CASE and --to important|urgent (or --overdue for every overdue case)",
                           "escalate 需要案件编号和 --to important|urgent（重要|紧急），或用 --overdue 升级所有超时案件"),
    "err.escalate_overdue_alone": ("escalate --overdue takes no case and no --to: it escalates every overdue case by one tier",
                                   "escalate --overdue 不接受案件编号和 --to：它将每件超时案件各升一级"),
    "err.paused_new_facts": ("{ref} is paused: resume it before new facts restart its clock",
                             "{ref} 已中止：请先恢复处理，新事实才能重新计时"),
    "err.reopen_window": ("{ref} was resolved on {day}; the {window}-day reopen window ran out at 24:00 on {last}; "
                          "log a new case with --related {ref}",
                          "{ref} 已于 {day} 办结；{window} 日的重开期限已于 {last} 24:00 届满；请用 --related {ref} 登记新案件"),
    "err.anonymised": ("cannot {action} {ref}: its personal data was anonymised by db purge on {day}, so its handling "
                       "cannot restart; log a new case with --related {ref}",
                       "无法对 {ref} 执行 {action}：其个人信息已于 {day} 由 db purge 匿名化，不能重新处理；请用 --related {ref} 登记新案件"),
    "err.anonymised_ended": ("cannot {action} {ref}: its personal data was anonymised by db purge on {day}, and "
                             "nothing more is recorded on it; log a new case with --related {ref}",
                             "无法对 {ref} 执行 {action}：其个人信息已于 {day} 由 db purge 匿名化，不再记录任何操作；"
                             "请用 --related {ref} 登记新案件"),
    "err.anonymised_note": ("cannot add a note to {ref}: its personal data was anonymised by db purge on {day}, and "
                            "a note's text would be kept after it; write it on a new case with --related {ref}",
                            "无法为 {ref} 添加备注：其个人信息已于 {day} 由 db purge 匿名化，备注内容将在匿名化后被保存；"
                            "请用 --related {ref} 登记新案件并在其中记录"),
    "err.already_reviewed": ("{ref} was already reviewed (requested {at}): a decision is reviewed once",
                             "{ref} 已核查过（于 {at} 申请）：一项处理决定只核查一次"),
    "err.staff_exists": ("staff {name!r} already exists: expected a new name (see 'complaintctl staff list')",
                         "员工 {name!r} 已存在：请使用新的姓名（见 complaintctl staff list）"),
    "err.login_taken": ("login {login!r} already belongs to {holder}: expected an account no one else uses",
                        "登录账户 {login!r} 已属于 {holder}：请使用他人未用的账户"),
    "err.config_exists": ("config file {path!r} already exists: expected a new path, or --force to overwrite it",
                          "配置文件 {path!r} 已存在：请指定新路径，或用 --force 覆盖"),
    "err.demo_count": ("invalid --count {count}: expected 1 to 100000", "--count 的值 {count} 无效：应为 1 至 100000"),
    "err.demo_not_empty": ("the database already has {n} cases; demo adds sample data only to an empty database "
                           "(use --force to add anyway, or --db another file)",
                           "数据库中已有 {n} 件案件；demo 只向空数据库添加示例数据（仍要添加请用 --force，或用 --db 指定另一个文件）"),
    "err.letter_template_missing": ("config key letter.template: {path!r} not found; expected a Jinja2 HTML template",
                                    "配置项 letter.template：未找到 {path!r}；应为 Jinja2 HTML 模板"),
    "err.letter_template_syntax": ("letter template {name!r} line {line}: {why}", "告知书模板 {name!r} 第 {line} 行：{why}"),
    # the configuration
    "err.config_bool": ("config key {key}: expected true or false, got {value!r}",
                        "配置项 {key}：应为 true 或 false，实际为 {value!r}"),
    "err.config_int": ("config key {key}: expected a whole number from {lo} to {hi}, got {value!r}",
                       "配置项 {key}：应为 {lo} 至 {hi} 的整数，实际为 {value!r}"),
    "err.config_dates": ('config key {key}: expected a list of dates such as ["2026-12-31"], got {value!r}',
                         '配置项 {key}：应为日期列表，如 ["2026-12-31"]，实际为 {value!r}'),
    "err.config_date": ("config key {key}: {item!r} is not a date; expected YYYY-MM-DD",
                        "配置项 {key}：{item!r} 不是日期；应为 YYYY-MM-DD"),
    "err.config_text": ("config key {key}: expected text, got {value!r}", "配置项 {key}：应为文本，实际为 {value!r}"),
    "err.config_timezone": ("config key timezone: unknown time zone {value!r}; expected an IANA name such as Asia/Shanghai",
                            "配置项 timezone：未知时区 {value!r}；应为 IANA 时区名，如 Asia/Shanghai"),
    "err.config_lang": ("config key lang: expected en or zh, got {value!r}", "配置项 lang：应为 en 或 zh，实际为 {value!r}"),
    "err.config_country": ("config key calendar.country: {value!r} is not a country the holidays package knows; "
                           "expected an ISO code such as CN",
                           "配置项 calendar.country：holidays 软件包不认识国家 {value!r}；应为 ISO 国家代码，如 CN"),
    "err.config_missing": ("config file {path!r} not found: expected a readable TOML file",
                           "未找到配置文件 {path!r}：应为可读取的 TOML 文件"),
    "err.config_toml": ("config file {path!r} is not valid TOML: {why}", "配置文件 {path!r} 不是有效的 TOML：{why}"),
    "err.config_unreadable": ("config file {path!r} cannot be read: {why}", "无法读取配置文件 {path!r}：{why}"),
    "err.config_codes_table": ("config file {path!r}: codes must be a table ([codes.channel], ...)",
                               "配置文件 {path!r}：codes 应为表（[codes.channel] 等）"),
    "err.rules_differ": ("config file {path!r} sets {key} = {mine}, but this database's deadline rules say {recorded}: the "
                         "rules in force are the database's; leave {key} out of the file, or an administrator adopts "
                         "the file's with 'complaintctl config adopt --reason TEXT'",
                         "配置文件 {path!r} 设定 {key} = {mine}，但本数据库的时限规则为 {recorded}：以数据库中的规则为准；"
                         "请从配置文件中删去 {key}，或由系统管理员用 complaintctl config adopt --reason 理由 采用该文件的规则"),
    "err.rules_same": ("the config's deadline rules are already this database's: nothing to adopt",
                       "配置文件中的时限规则已与本数据库一致：无需采用"),
    "done.rules_adopted": ("deadline rules adopted from {path}: {changes}", "已采用 {path} 中的时限规则：{changes}"),
    "err.config_masking": ("config file {path!r}: {key!r} is no longer read: the masking policy is kept in the database, "
                           "changed by an administrator with 'complaintctl masking on|off'; remove the [masking] table "
                           "from the file",
                           "配置文件 {path!r}：{key!r} 已不再读取：脱敏策略保存在数据库中，由系统管理员用 complaintctl "
                           "masking on|off 变更；请从文件中删除 [masking] 表"),
    "err.config_unknown_key": ("config file {path!r}: unknown key {key!r}; known keys: {known}",
                               "配置文件 {path!r}：未知配置项 {key!r}；可用的配置项：{known}"),
    "err.codes_key": ("{where}: unknown key codes.{key}; expected codes.names, codes.channel, codes.product or "
                      "codes.category",
                      "{where}：未知配置项 codes.{key}；应为 codes.names、codes.channel、codes.product 或 codes.category"),
    "err.codes_code": ("{where}: codes.names.{code}: not a JR/T 0169 code; expected A, B or C and 2 to 6 digits, "
                       "such as B0302",
                       "{where}：codes.names.{code} 不是 JR/T 0169 代码；应为 A、B 或 C 加 2 至 6 位数字，如 B0302"),
    "err.codes_name": ('{where}: codes.names.{code}: expected a name, or ["English", "Chinese"], got {value!r}',
                       '{where}：codes.names.{code} 应为名称，或 ["英文名", "中文名"]；实际为 {value!r}'),
    "err.codes_choice": ("{where}: codes.{f}.{key}: unknown {f}; expected one of {choices}",
                         "{where}：codes.{f}.{key} 未知；应为以下之一：{choices}"),
    "err.codes_unknown_code": ("{where}: codes.{f}.{key}: {code!r} is not a known {letter} code; expected one of "
                               "{codes} or a code of the bank's own under codes.names",
                               "{where}：codes.{f}.{key}：{code!r} 不是已知的 {letter} 类代码；应为以下之一：{codes}，"
                               "或在 codes.names 下定义的本行代码"),
    # the database and files
    "err.database": ("database error: {why}", "数据库错误：{why}"),
    "err.db_busy": ("database is locked by another writer for longer than {seconds}s; try again",
                    "数据库被另一写入方锁定超过 {seconds} 秒；请重试"),
    "err.db_folder_missing": ("cannot open database {path!r}: folder {folder!r} does not exist",
                              "无法打开数据库 {path!r}：文件夹 {folder!r} 不存在"),
    "err.db_is_folder": ("cannot open database {path!r}: it is a folder; expected a database file",
                         "无法打开数据库 {path!r}：这是一个文件夹；应为数据库文件"),
    "err.db_create": ("cannot create database {path!r}: {why} (is the folder writable?)",
                      "无法创建数据库 {path!r}：{why}（文件夹是否可写？）"),
    "err.db_open": ("cannot open database {path!r}: {why}", "无法打开数据库 {path!r}：{why}"),
    "err.db_io": ("database {path!r} could not be read or written: disk I/O error (a full disk, a file size limit "
                  "or a failing device)", "数据库 {path!r} 读写失败：磁盘 I/O 错误（磁盘已满、文件大小受限或设备故障）"),
    "err.db_readonly": ("database {path!r} is read-only: check the file's and folder's permissions",
                        "数据库 {path!r} 为只读：请检查文件及所在文件夹的权限"),
    "err.not_sqlite": ("{path!r} is not a complaintctl database (file is not a SQLite database)",
                       "{path!r} 不是 complaintctl 数据库（该文件不是 SQLite 数据库）"),
    "err.no_revision": ("the database has tables but no complaintctl schema revision; point --db at a complaintctl database",
                        "该数据库有表但没有 complaintctl 结构版本；请用 --db 指向 complaintctl 数据库"),
    "err.schema_too_new": ("database is at schema revision {revision!r}, newer than this complaintctl knows ({head}); "
                           "upgrade complaintctl",
                           "数据库结构版本为 {revision!r}，比本 complaintctl 所知的版本（{head}）更新；请升级 complaintctl"),
    "err.driver_missing": ("the driver for {backend} is not installed ({module}); for PostgreSQL: pip install "
                           "'complaintctl[postgres]'",
                           "未安装 {backend} 的驱动（{module}）；PostgreSQL 请执行 pip install 'complaintctl[postgres]'"),
    "err.backup_postgres": ("db backup copies SQLite files; for PostgreSQL use pg_dump",
                            "db backup 只复制 SQLite 文件；PostgreSQL 请使用 pg_dump"),
    "err.backup_memory": ("db backup copies a database file; this one is in memory",
                          "db backup 只复制数据库文件；当前数据库在内存中"),
    "err.temp_folder": ("cannot make {path!r}: the temporary folder {folder!r} would not hold its parts: {why} "
                        "(TMPDIR names another)",
                        "无法生成 {path!r}：临时文件夹 {folder!r} 无法写入其组成部分：{why}（可用 TMPDIR 指定其他文件夹）"),
    "err.cannot_write": ("cannot write {path!r}: {why}", "无法写入 {path!r}：{why}"),
})

# What an InvalidValue says is accepted (after "expected" / "应为") ----------------------------------
TEXT.update({
    "acc.one_of": ("one of {choices}", "以下之一：{choices}"),
    "acc.any_of": ("{choices}", "以下之一：{choices}"),
    "acc.one_or_more": ("one or more of {choices}", "以下一项或多项：{choices}"),
    "acc.dimensions": ("one to three different ones of {choices}, comma-separated",
                       "以下一至三个不同的项，用逗号分隔：{choices}"),
    "acc.en_or_zh": ("en or zh", "en 或 zh"),
    "acc.zh_or_en": ("zh or en", "zh 或 en"),
    "acc.html_or_json": ("html or json", "以下之一：html、json"),
    "acc.export_format": ("csv, jsonl or xlsx", "csv、jsonl 或 xlsx"),
    "acc.true_or_false": ("true or false", "true 或 false"),
    # times and dates
    "acc.iso_time": ("a time such as 2026-03-18 14:30 (or 2026/3/18 9:30, 2026-03-18 24:00 for the day's end, "
                     "or ISO 8601 with an offset: 2026-03-18T14:30+08:00), or a date 2026-03-18",
                     "时间，如 2026-03-18 14:30（或 2026/3/18 9:30，日终 2026-03-18 24:00，"
                     "或带时差的 ISO 8601：2026-03-18T14:30+08:00），或日期 2026-03-18"),
    "acc.date_form": ("a date in the form {fmt}", "形如 {fmt} 的日期"),
    "acc.date_iso": ("a date in the form ISO 8601 (or give --date-format)", "形如 ISO 8601 的日期（或用 --date-format 指定格式）"),
    "acc.date_example": ("a date such as 2026-03-18", "日期，如 2026-03-18"),
    "acc.date_between": ("a date between {low} and {high}", "{low} 年至 {high} 年之间的日期"),
    "acc.date_not_future": ("a date not in the future", "不晚于今天的日期"),
    "acc.date_from_today": ("a date not before today ({today})", "不早于今天（{today}）的日期"),
    "acc.not_future": ("a time not in the future", "不晚于现在的时间"),
    "acc.not_future_now": ("a time not in the future (now is {now})", "不晚于现在（{now}）的时间"),
    "acc.after_received": ("a time not before the case was received ({at})", "不早于案件受理时间（{at}）的时间"),
    "acc.after_last_step": ("a time not before the case's last step ({step} at {at}): its history is kept in order",
                            "不早于该案件上一步操作（{at} {step}）的时间：处理记录须按时间先后登记"),
    "acc.after_received_at": ("a time not before --received-at ({at})", "不早于 --received-at（{at}）的时间"),
    "acc.after_receipt": ("a time not before receipt", "不早于受理时间的时间"),
    "acc.after_receipt_not_future": ("a time not before receipt nor after now", "不早于受理时间且不晚于现在的时间"),
    "acc.receipt_to_now": ("a time between receipt and now", "受理时间与现在之间的时间"),
    "acc.after_cycle_began": ("a time not before this cycle began ({at})", "不早于本轮处理开始时间（{at}）的时间"),
    "acc.after_pause": ("a time not before the pause began ({at})", "不早于中止开始时间（{at}）的时间"),
    "acc.after_resolution": ("a time not before the resolution ({at})", "不早于办结时间（{at}）的时间"),
    "acc.after_decision": ("a time not before the decision ({at})", "不早于处理决定时间（{at}）的时间"),
    "acc.after_review_requested": ("a time not before the review was requested ({at})",
                                   "不早于核查申请时间（{at}）的时间"),
    "acc.not_after_told": ("a time not after the customer was told (--at {at})", "不晚于告知客户时间（--at {at}）的时间"),
    "acc.after_action_added": ("a time not before the action was added ({at})", "不早于该整改措施添加时间（{at}）的时间"),
    "acc.after_from": ("a time after --from ({start})", "晚于 --from（{start}）的时间"),
    "acc.before_deadline": ("a time before the deadline being extended ran out ({due}): a deadline that has passed "
                            "cannot be extended",
                            "被延长的时限届满（{due}）之前的时间：已过的时限不能延长"),
    "acc.review_window": ("a time within {days} days of the decision of {day}: the review window ran out at 24:00 on {last}",
                          "处理决定（{day}）后 {days} 日内的时间：核查申请期限已于 {last} 24:00 届满"),
    "acc.customer_told": ("the time the customer was told of the extension and why", "告知客户延期及其理由的时间"),
    "acc.quarter": ("a quarter such as 2026Q3", "季度，如 2026Q3"),
    "acc.month": ("a month such as 2026-10", "月份，如 2026-10"),
    "err.quarter_or_month": ("missing --quarter (such as 2026Q3) or --month (such as 2026-07): give one of them",
                             "缺少 --quarter（如 2026Q3）或 --month（如 2026-07）：请给出其中之一"),
    "err.quarter_and_month": ("--quarter and --month were both given: give one of them (a quarter such as 2026Q3, or a "
                              "month such as 2026-07)",
                              "--quarter 与 --month 只能给出其中之一（季度如 2026Q3，或月份如 2026-07）"),
    "err.xlsx_needs_output": ("--format xlsx needs --output FILE.xlsx: a workbook is written to a file, not to standard "
                              "output", "--format xlsx 需要 --output 文件名.xlsx：工作簿须写入文件，不写到标准输出"),
    # periods and tiers
    "acc.extended_to": ("30 or 60 (days from receipt)", "30 或 60（自受理之日起的天数）"),
    "acc.extension_to": ("30 (days from receipt; a manager approves) or 60 (an executive approves); {ceiling} days "
                         "from receipt is the ceiling",
                         "30（自受理之日起的天数，由中层管理人员批准）或 60（由高级管理人员批准）；上限为自受理之日起 {ceiling} 日"),
    "acc.extension_more": ("more than the {days} days from receipt already in force (at most {ceiling})",
                           "多于已生效的自受理之日起 {days} 日（不超过 {ceiling} 日）"),
    "acc.extension_days": ("0, 30 or 60", "0、30 或 60"),
    "acc.tier_above": ("a tier above {current}: {higher}", "高于「{current}」的等级：{higher}"),
    "acc.tier_above_none": ("a tier above {current}: none (already urgent)", "高于「{current}」的等级：无（已是紧急投诉）"),
    # people
    "acc.registered_staff": ("registered staff (complaintctl staff add NAME --role ...)",
                             "已登记员工（complaintctl staff add 姓名 --role 角色）"),
    "acc.active_staff": ("registered active staff (see 'complaintctl staff list')", "已登记的在职员工（见 complaintctl staff list）"),
    "acc.not_lead": ("staff other than the lead handler {name}", "主办人 {name} 以外的员工"),
    "acc.not_complained_about": ("someone other than {name}: the complaint is about them, and the person complained "
                                 "about may not handle or review it (conflict of interest)",
                                 "{name} 以外的人员：该投诉针对此人，被投诉人不得处理或核查该投诉（利益冲突）"),
    "acc.reviewer_branch": ("staff of the case's branch {branch} or of the higher institution (staff without a branch); "
                            "{reviewer} is of {own}, a sibling branch, not a higher level",
                            "本案网点 {branch} 或上级机构（未登记网点）的人员；{reviewer} 属于 {own}，为同级网点，并非上级"),
    "acc.reviewer_manager": ("a manager or executive (the case has no recorded handler)",
                             "中层或高级管理人员（该案件没有记录处理人）"),
    "acc.not_own_decision": ("someone other than {name}, who handled the case: a handler does not review their own decision",
                             "处理该案件的 {name} 以外的人员：处理人不核查自己的处理决定"),
    "acc.reviewer_level": ("staff of a higher level than the handler {name} ({role}), or a manager or above of the "
                           "higher institution (staff without a branch); {reviewer} is {reviewer_role}",
                           "级别高于处理人 {name}（{role}）的员工，或上级机构（未登记网点）的中层及以上管理人员；{reviewer} 是{reviewer_role}"),
    "acc.reviewer_level_of": ("staff of a higher level than the handler {name} ({role}), or a manager or above of the "
                              "higher institution (staff without a branch); {reviewer} is {reviewer_role} of {branch}",
                              "级别高于处理人 {name}（{role}）的员工，或上级机构（未登记网点）的中层及以上管理人员；"
                              "{reviewer} 是网点 {branch} 的{reviewer_role}"),
    "acc.staff_name": ("a name other than 'complaintctl' (the tool's own) without ' as ' or '（代' in it (the audit trail "
                       "names an administrator acting for someone 'admin as name', in Chinese 'admin（代 name）')",
                       "除 'complaintctl'（本工具自身）以外、且不含 ' as ' 或 '（代' 的姓名（管理员代他人操作时，审计记录写作"
                       "“管理员 as 姓名”，中文显示为“管理员（代 姓名）”）"),
    "acc.init_branch": ("the branch's code, such as BJ001 (a higher institution with no branch: init --branch '')",
                        "网点代码，如 BJ001（无网点的上级机构：init --branch ''）"),
    "acc.staff_spec": ("NAME:ROLE or NAME:ROLE:LOGIN, e.g. zhangwei:manager:zhangwei",
                       "姓名:角色 或 姓名:角色:登录账户，如 zhangwei:manager:zhangwei"),
    "acc.login_name": ("an account name of letters, digits, '_', '.', '@' or '-' (at most 63)",
                       "由字母、数字、'_'、'.'、'@' 或 '-' 组成的账户名（不超过 63 个字符）"),
    "acc.server_login": ("a login that exists on the server (the DBA creates it first: CREATE ROLE ... LOGIN; the tool "
                         "maps it)",
                         "数据库服务器上已有的登录名（先由数据库管理员执行 CREATE ROLE ... LOGIN 创建，再由本工具登记）"),
    "acc.branch_code": ("a branch code of at most {room} characters", "不超过 {room} 个字符的网点代码"),
    "acc.region": ("a region recorded in the database or in config's [regions] table ({known})",
                   "数据库中登记的或配置文件 [regions] 表中的地区（{known}）"),
    "acc.region_none": ("a region recorded in the database or in config's [regions] table (none yet)",
                        "数据库中登记的或配置文件 [regions] 表中的地区（尚无）"),
    # a complaint's fields
    "acc.phone": ("a mainland mobile (13812345678 or 138-1234-5678), a landline with its area code "
                  "(010-62345678 or (010) 6234 5678, an extension after it: 010-62345678-801 or 转801) "
                  "or + and a country code (+852 9123 4567)",
                  "中国大陆手机号（13812345678 或 138-1234-5678）、带区号的固定电话（010-62345678 或 (010) 6234 5678，"
                  "分机号写在其后：010-62345678-801 或 转801），或以 + 和国家代码开头的号码（+852 9123 4567）"),
    "acc.phone_lookup": ("a phone number as log takes it (13812345678, 010-62345678, +86 138 1234 5678)",
                         "log 接受的电话号码（13812345678、010-62345678、+86 138 1234 5678）"),
    "acc.email": ("an address such as name@example.com", "电子邮箱地址，如 name@example.com"),
    "acc.account_digits": ("12 to 19 digits (spaces or hyphens between them are fine)", "12 至 19 位数字（中间可有空格或连字符）"),
    "acc.account_card": ("an account or card number of 12 to 19 digits", "12 至 19 位数字的账号或卡号"),
    "acc.resident_id": ("a resident ID number: 17 digits and a check digit or X (GB 11643), e.g. 11010519491231002X",
                        "居民身份证号码：17 位数字加 1 位校验码（数字或 X，GB 11643），如 11010519491231002X"),
    "acc.document_number": ("5 to 30 letters, digits or hyphens", "5 至 30 位字母、数字或连字符"),
    "acc.document_5_30": ("an identity document number of 5 to 30 characters", "5 至 30 个字符的证件号码"),
    "acc.id_number_for": ("the number of the {kind} given with --id-type", "--id-type 所指证件（{kind}）的号码"),
    "acc.agent_authority": ("the reference of the power of attorney under which --agent acts",
                            "--agent 所依据的授权委托书编号"),
    "acc.agent_name": ("the name of the agent the power of attorney --agent-authority names",
                       "--agent-authority 所指授权委托书中代理人的姓名"),
    "acc.non_empty": ("non-empty text", "非空文本"),
    "acc.max_chars": ("at most {limit} characters", "不超过 {limit} 个字符"),
    "acc.max_chars_got": ("at most {limit} characters (got {got})", "不超过 {limit} 个字符（实际 {got} 个）"),
    "acc.no_control": ("text without control characters or bidirectional overrides", "不含控制字符或双向文本覆盖字符的文本"),
    "acc.single_line": ("a single line", "单行文本"),
    "acc.one_department": ("one department per --department (no commas)", "每个 --department 只填一个部门（不含逗号）"),
    "acc.case_key": ("a reference such as C-2026-000123 or a numeric id", "案件编号，如 C-2026-000123，或数字序号"),
    "acc.override_reason": ("--reason TEXT saying why the tier's handler level is overridden",
                            "--reason 理由，说明为何越级分派"),
    "acc.new_facts": ("--repeat-of CASE as well: new facts restart an existing case's clock",
                      "同时给出 --repeat-of 案件编号：新事实使已有案件重新计时"),
    "acc.no_related": ("no --related with --repeat-of: a repeat is recorded on the original, a genuinely new complaint "
                       "is logged with --related",
                       "--repeat-of 不能与 --related 同用：重复投诉记入原案件，确属新投诉的用 --related 登记"),
    "acc.action_number": ("an action number such as 3 or A-3 (see 'complaintctl action list')",
                          "整改措施编号，如 3 或 A-3（见 complaintctl action list）"),
    # files
    "acc.no_symlink": ("a path that is not a symbolic link (the tool never writes through one)",
                       "不是符号链接的路径（本工具从不通过符号链接写入）"),
    "acc.existing_folder": ("a file in an existing folder", "已有文件夹中的文件"),
    "acc.not_folder": ("a file, not a folder", "文件，而不是文件夹"),
    "acc.regular_file": ("a regular file (not a device, pipe or socket)", "普通文件（不能是设备、管道或套接字）"),
    "acc.regular_file_output": ("a regular file (not a device, pipe or socket, which a file would replace; "
                                "leave out --output, or give -, to write to standard output, in any format but xlsx)",
                                "普通文件（不能是设备、管道或套接字，写入会以文件替换它们；写到标准输出请不加 --output 或用 -，"
                                "xlsx 格式除外）"),
    "acc.not_database": ("a file other than the database itself", "数据库本身以外的文件"),
    "acc.not_read_only": ("a file not marked read-only (it has no write permission for anyone: kept as it is; "
                          "give another name, or chmod u+w it first)",
                          "未被设为只读的文件（该文件对任何人都无写权限，予以保留；请换一个文件名，或先为其加上写权限）"),
    "acc.new_path": ("a path that does not exist yet (never overwrites)", "尚不存在的路径（从不覆盖已有文件）"),
    "acc.named_file": ("a new file, an output the tool wrote before (yours, mode 0600), or one named as outputs are "
                       "(.csv, .txt, .json, .xlsx, .html, ...): another existing file (a system's, a program, one in "
                       "a hidden folder) is never replaced; give another name, or remove it first",
                       "新文件、本工具先前写出的文件（属于当前账户，权限 0600），或按输出文件命名的文件（.csv、.txt、.json、"
                       ".xlsx、.html 等）：其他已有文件（系统文件、程序、隐藏目录中的文件）从不替换；请换一个文件名，或先删除该文件"),
    "acc.backup_new_path": ("a path that does not exist yet (backup never overwrites)", "尚不存在的路径（备份从不覆盖已有文件）"),
    "acc.xlsx_file": ("a file name ending in .xlsx (a workbook is not written to a terminal)",
                      "以 .xlsx 结尾的文件名（工作簿不输出到终端）"),
    "acc.anchor_file": ("an existing file of anchors written by 'complaintctl db anchor'",
                        "由 complaintctl db anchor 写入的已有锚点文件"),
    "acc.anchor_nonempty": ("a file holding at least one line written by 'complaintctl db anchor'",
                            "至少含一行由 complaintctl db anchor 写入内容的文件"),
    "acc.output_suffix": ("a file name that fits --format {fmt} (a name ending in {suffix} is for --format {kinds}: "
                          "give that format, or another name)",
                          "与 --format {fmt} 相符的文件名（以 {suffix} 结尾的文件应使用 --format {kinds}：请改用该格式或另取文件名）"),
    "acc.config_path": ("the path of a TOML config file (or neither --config nor COMPLAINTCTL_CONFIG, to use the "
                        "search path)",
                        "某个 TOML 配置文件的路径（或既不给 --config 也不设置 COMPLAINTCTL_CONFIG，按搜索路径查找）"),
    "acc.db_url": ("a file path or a URL such as postgresql+psycopg://user@host/db",
                   "文件路径或 URL，如 postgresql+psycopg://user@host/db"),
    # import
    "acc.csv_exists": ("an existing CSV file", "已有的 CSV 文件"),
    "acc.csv_header": ("a CSV file with a header row", "带表头行的 CSV 文件"),
    "acc.csv_well_formed": ("well-formed CSV ({why} near row {row})", "格式正确的 CSV（第 {row} 行附近：{why}）"),
    "acc.encoding": ("text in {encoding} (give --encoding, e.g. gb18030)", "{encoding} 编码的文本（请用 --encoding 指定，如 gb18030）"),
    "acc.map": ("FIELD=COLUMN with FIELD one of {fields}", "字段=列名，字段为以下之一：{fields}"),
    "acc.map_column": ("a column of the file; it has: {columns}", "文件中的列；文件的列为：{columns}"),
    "err.import_unmapped": ("{file} has no column for {fields}: map each with --map FIELD=COLUMN (e.g. --map "
                            "received_at=\"Date received\"); its columns: {columns}",
                            "{file} 中没有对应 {fields} 的列：请用 --map 字段=列名 指定（如 --map received_at=\"受理日期\"）；"
                            "文件的列为：{columns}"),
    "warn.import_unmapped": ("{n} column(s) of {file} map to no field and are not imported: {columns} (--map FIELD=COLUMN "
                             "takes one in)",
                             "{file} 中有 {n} 列未对应任何字段，不会导入：{columns}（用 --map 字段=列名 导入）"),
    "acc.value_map": ("FIELD:SOURCE=TARGET (SOURCE * matches any other value)",
                      "字段:原值=新值（原值为 * 时匹配其他任何值）"),
    "acc.strftime": ("a strftime format such as %Y/%m/%d", "strftime 格式，如 %Y/%m/%d"),
    "acc.import_branch": ("a branch code, from a branch column (--map branch=COLUMN) or the config's branch",
                          "网点代码：取自网点列（--map branch=列名）或配置文件中的 branch"),
    "acc.staff_branch": ("their branch's code (--branch CODE, or the config's branch); --branch - for staff of the "
                         "higher institution (a regional or head office)",
                         "其所在网点代码（--branch 代码，或配置文件中的 branch）；上级机构（分行、总行）人员用 --branch -"),
    "acc.as_of_received": ("a moment no earlier than the case's receipt ({at}): its clocks start then",
                           "不早于该案件受理时间（{at}）的时间：各项时限自受理起算"),
    "acc.regulatory_floor": ("a moment no earlier than the end of the 15 days from receipt ({day}): a pause or an "
                             "extension only moves the regulatory deadline later; leave it empty to have it counted",
                             "不早于受理后 15 日届满（{day}）的时间：暂停或延期只会使监管时限延后；留空则由系统计算"),
    "acc.receipt_date": ("a date: every imported complaint needs its receipt date", "日期：每件导入的投诉都须有受理日期"),
    "acc.import_status": ("received, assigned, resolved or closed for imported history (the other states need the "
                          "fields the tool's own export carries)",
                          "received、assigned、resolved 或 closed（导入历史案件时；其他状态需要本工具导出文件中的字段）"),
    "acc.state_records": ("a value: a case {status} records it", "一个值：「{status}」的案件须记录此项"),
    "acc.empty_not_paused": ("empty: the case is {status}, not paused", "留空：案件状态为「{status}」，并未中止"),
    "acc.paused_from": ("the working state the case was paused from", "案件中止前所处的处理状态"),
    "acc.import_reference": ("a reference as complaintctl writes it, e.g. C-2026-000123 (another system's number goes in "
                             "external_id)",
                             "complaintctl 格式的编号，如 C-2026-000123（其他系统的编号请填入 external_id）"),
    "acc.whole_number": ("a whole number, 0 or more", "不小于 0 的整数"),
    "acc.cycle_number": ("a cycle number, 1 or more", "不小于 1 的处理轮次"),
    "acc.cycle_order": ("{i}: a case's cycles are numbered 1, 2, ... in order", "{i}：案件的处理轮次应依次编号为 1、2……"),
    "acc.first_cycle": ("the receipt time, by log: a case's first cycle opens when it is received",
                        "受理时间（log）：案件的第一轮处理自受理时开始"),
    "acc.later_cycle": ("a later cycle opened by reopen, new_facts or review, not before the one before it",
                        "由 reopen、new_facts 或 review 开始的后续轮次，且不早于前一轮"),
    "acc.later_cycle_opened": ("the time a later cycle opened", "后续处理轮次开始的时间"),
})


# What may stand between a phone number and its extension (phones.clean_phone), besides a dash:
# "transfer to" and "extension" as a Chinese caller says them, and the English forms.
EXTENSION_WORDS = ("转", "分机", "ext.", "ext", "x", "#")


# The texts the tool itself writes into an event's detail, by the event's action: stored in English
# (the hash chain covers them as written), read in the operator's language in show's timeline. A
# detail that is none of these (an operator's own words) is shown as it is.
_SYSTEM_DETAILS: dict[str, tuple[tuple[re.Pattern, str], ...]] = {
    d.Action.IMPORT.value: (
        (re.compile(r"imported from (?P<source>.+) row (?P<row>\d+)"), "从 {source} 第 {row} 行导入"),
        (re.compile(r"imported from (?P<source>.+) rows (?P<first>\d+)-(?P<last>\d+)"),
         "从 {source} 第 {first}-{last} 行导入"),
    ),
    d.Action.PURGE.value: (
        (re.compile(r"personal data anonymised: closed before (?P<day>\d{4}-\d{2}-\d{2})"),
         "个人信息已匿名化：{day} 前结案"),
    ),
    d.Action.REVEAL.value: ((re.compile(r"personal data shown in full by show --reveal"), "以 show --reveal 显示完整个人信息"),),
    d.Action.LETTER.value: (
        (re.compile(r"decision letter produced with personal data in full"), "已生成处理决定书（含完整个人信息）"),
        (re.compile(r"decision letter produced"), "已生成处理决定书"),
    ),
    d.Action.ESCALATE.value: (
        (re.compile(r"automatic: overdue as of (?P<at>\d{4}-\d{2}-\d{2} \d{2}:\d{2}); "
                    r"(?P<before>[a-z]+) escalated to (?P<after>[a-z]+)"), "自动升级：截至 {at} 已超时，{before}升为{after}"),
    ),
}


# How an administrator acting for someone is written (" as ") and shown in Chinese ("（代 "): a staff
# name holding one could pass in the audit trail for an administrator acting for someone.
ACTING_MARKS = (" as ", "（代", "(代")


def actor_text(actor: str, lang: str = "en") -> str:
    """An event's actor as show's timeline prints it: stored in English ("root as wangfang": an
    administrator acting for a member of staff, access.Operator.actor), read in `lang`."""
    name, sep, target = actor.partition(" as ")
    if lang != "zh" or not sep:
        return actor
    return f"{name}（代 {target}）"


def stored_text(value, lang: str = "en"):
    """A stored value as a person reads it: what `db purge` left where a name or a text was
    (masking.ANONYMISED, stored in English) in `lang`; anything else as it is. For what is read on
    screen only: --json, CSV and the export keep the stored marker, which import reads back."""
    from .masking import ANONYMISED

    return t("anonymised.value", lang) if value == ANONYMISED else value


def event_detail(action: str, text: str | None, lang: str = "en") -> str | None:
    """An event's detail as show's timeline prints it: what the tool itself wrote, in `lang`."""
    if not text or lang != "zh":
        return text
    text = stored_text(text, lang)
    for pattern, zh in _SYSTEM_DETAILS.get(action, ()):
        found = pattern.fullmatch(text)
        if found:
            values = found.groupdict()
            for key in ("before", "after"):
                if key in values:
                    values[key] = label(values[key], lang, d.Tier)
            return zh.format(**values)
    return text
