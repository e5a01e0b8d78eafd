"""Every user-visible label in English and Chinese, and the parsing of choices typed in either.

Choices are parsed here so that `一般`, `General` and ` general ` all mean Tier.GENERAL, and an
unknown value gets the same one-line error whichever language it was typed in.
"""
from __future__ import annotations

from enum import StrEnum
from typing import TypeVar

from . import domain as d
from .errors import InvalidValue

LANGS = ("en", "zh")

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
        "reopened": ("Reopened", "已重启", ("重启", "重新处理")),
        "withdrawn": ("Withdrawn", "已撤回", ("撤回", "撤诉")),
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
        "reopen": ("Reopened", "重启", ()),
        "close": ("Closed", "关闭", ()),
        "withdraw": ("Withdrawn", "撤回", ()),
        "repeat": ("Repeat complaint", "重复投诉", ()),
        "reveal": ("Personal data revealed", "查看个人信息", ()),
        "purge": ("Personal data anonymised", "个人信息匿名化", ()),
        "staff_add": ("Staff added", "新增员工", ()),
        "staff_deactivate": ("Staff deactivated", "员工停用", ()),
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
}

# PBoC JR/T 0169-2018 (银行业金融机构 投诉统计分类及编码) complaint-reason classes that each
# category corresponds to, where there is one.
JRT_0169_REASON = {
    "service_attitude": "服务态度及服务质量",
    "misselling": "营销方式和手段",
    "disclosure": "信息披露",
    "fees": "定价收费",
    "product_return": "产品收益",
    "contract_terms": "合同条款",
    "fund_safety": "消费者资金安全",
    "information_security": "消费者信息安全",
    "debt_collection": "债务催收方式和手段",
    "other": "其他",
}

E = TypeVar("E", bound=StrEnum)


def _fold(text: str) -> str:
    return " ".join(text.strip().casefold().replace("_", " ").replace("-", " ").split())


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


def accepted(enum: type[StrEnum]) -> str:
    """The accepted values of a choice, as shown in error messages."""
    return ", ".join(f"{k} ({v[1]})" for k, v in CHOICES[enum].items())


def parse(enum: type[E], text: str | None, field: str) -> E:
    """Parse an English key, English label or Chinese name into the enum member."""
    if text is None:
        raise InvalidValue(field, "", "one of " + accepted(enum))
    key = _index(enum).get(_fold(str(text)))
    if key is None:
        raise InvalidValue(field, text, "one of " + accepted(enum))
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
    "first_responded_at": ("Plan given", "初步方案时间"),
    "followup_due_at": ("Follow-up due", "跟进时限"),
    "resolved_at": ("Resolved", "办结时间"),
    "closed_at": ("Closed", "关闭时间"),
    "reopen_count": ("Reopened", "重启次数"),
    "repeat_count": ("Repeats", "重复投诉次数"),
    "withdrawn_at": ("Withdrawn", "撤回时间"),
    "col.withdrawn": ("Withdrawn", "已撤回"),
    "regulatory_period_days": ("Regulatory period", "监管时限"),
    "extended_days": ("extended to {n} days from receipt", "延长至受理后 {n} 日"),
    "opened_by": ("Opened by", "起因"),
    "opened_by.log": ("complaint", "受理投诉"),
    "opened_by.reopen": ("reopen", "重启"),
    "opened_by.new_facts": ("new facts", "新事实或新理由"),
    "col.repeats": ("Repeats", "重复投诉"),
    "overdue_by": ("Overdue by", "超时"),
    "time_left": ("Time left", "剩余时间"),
    "stale": ("Stale", "未跟进"),
    "breach": ("Breach", "超时类型"),
    "name": ("Name", "姓名"),
    "role": ("Role", "角色"),
    "active": ("Active", "在职"),
    "when": ("When", "时间"),
    "recorded_at": ("Recorded", "记录时间"),
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
    "jrt_reason": ("JR/T 0169-2018 reason", "JR/T 0169-2018 投诉原因"),
    "field": ("Field", "字段"),
    "resolution": ("Resolution", "处理结果"),
    "root_cause": ("Root cause", "根本原因"),
    "satisfaction": ("Satisfaction", "满意度"),
    "title.cases": ("Complaint cases", "投诉案件"),
    "title.overdue": ("Overdue complaints", "超时投诉"),
    "title.due_soon": ("Complaints due soon", "即将到期投诉"),
    "title.staff": ("Staff", "员工"),
    "title.timeline": ("Timeline", "处理记录"),
    "title.calendar": ("Business calendar", "工作日历"),
    "title.config": ("Effective configuration", "当前配置"),
    "title.choices": ("Choices", "可选值"),
    "title.sla": ("SLA compliance", "时限达标情况"),
    "title.aging": ("Open cases by age (working days)", "未结投诉账龄（工作日）"),
    "title.summary": ("Complaints received", "投诉受理统计"),
    "title.escalation": ("Automatic escalation", "自动升级"),
    "clock.internal": ("Internal deadline", "内部处理时限"),
    "clock.regulatory": ("Regulatory deadline ({n} days)", "监管处理时限（{n}日）"),
    "clock.response": ("Initial plan (24 hours)", "初步方案（24小时）"),
    "clock.followup": ("Daily follow-up", "每日跟进"),
    "left": ("left", "剩余"),
    "overdue": ("overdue by", "已超时"),
    "met": ("met", "已达成"),
    "breached": ("breached", "已超时"),
    "stopped": ("stopped (paused)", "已中止计时"),
    "none": ("none", "无"),
    "more_rows": ("{n} more rows not shown; use --all or --limit N", "另有 {n} 行未显示；使用 --all 或 --limit N"),
    "no_cases": ("No cases match.", "没有符合条件的案件。"),
    "provisional": (
        "calendar for {year} is provisional: the official holiday schedule is not yet published",
        "{year} 年日历为预估：官方节假日安排尚未发布",
    ),
    "working_day": ("working day", "工作日"),
    "makeup_workday": ("make-up working day", "调休上班"),
    "non_working_weekday": ("holiday", "休息日"),
}


# How `calendar due` explains its counting, step by step.
TEXT.update({
    "step.received": ("Received {day} {time} ({tz}); the day of receipt is not counted.",
                 "受理时间 {day} {time}（{tz}）；受理当日不计入。"),
    "step.urgent": ("Urgent: the initial plan is due {hours} clock hours after receipt, holidays included: {when}.",
               "紧急投诉：须在受理后 {hours} 小时内（节假日照常计算）提出初步处理方案：{when}。"),
    "step.followup": ("After the plan, the case needs a follow-up (note or respond) at least once every working day until resolved.",
                 "提出方案后，办结前每个工作日至少跟进一次（note 或 respond）。"),
    "step.counted": ("{day}: {kind}, day {n} of {of}.", "{day}：{kind}，第 {n}/{of} 个工作日。"),
    "step.skipped": ("{day}: {kind}, not counted.", "{day}：{kind}，不计入。"),
    "step.internal": ("Internal deadline ({tier}, {n} working days): 24:00 at the end of {day}.",
                 "内部处理时限（{tier}，{n} 个工作日）：{day} 24:00。"),
    "step.regulatory": ("Regulatory deadline: {n} calendar days after receipt, 24:00 at the end of {day}.",
                   "监管时限：受理后 {n} 个自然日，{day} 24:00。"),
    "step.regulatory_moved": ("Regulatory deadline: {n} calendar days after receipt is {last}, not a working day ({kind}), "
                         "so it moves to the end of {day}.",
                         "监管时限：受理后第 {n} 个自然日为 {last}，非工作日（{kind}），顺延至 {day} 24:00。"),
    "step.extended": ("Extended (Order 2020 No. 3, art. 17): the regulatory period is {n} days from receipt instead of "
                      "{base}.",
                      "已延长（银保监会令2020年第3号第十七条）：监管时限为受理后 {n} 日，而非 {base} 日。"),
    "step.local_closure": ("{day} is a local closure, not a statutory rest day: it does not move the regulator's "
                           "deadline.",
                           "{day} 为本行自定休息日，非法定休假日：不顺延监管时限。"),
    "step.working day": ("working day", "工作日"),
    "step.make-up": ("make-up working day (调休)", "调休工作日"),
    "step.holiday": ("holiday ({name})", "节假日（{name}）"),
    "step.weekend": ("weekend", "周末"),
})

TEXT.update({
    "msg.logged": ("{ref} logged ({tier}; {deadlines})", "{ref} 已登记（{tier}；{deadlines}）"),
    "msg.assigned": ("{ref} assigned to {name} ({status})", "{ref} 已分派给 {name}（{status}）"),
    "msg.escalated": ("{ref} escalated {old} -> {new} ({deadlines})", "{ref} 已由{old}升级为{new}（{deadlines}）"),
    "msg.responded": ("{ref} response recorded ({status})", "{ref} 已记录答复（{status}）"),
    "msg.noted": ("{ref} note added", "{ref} 已添加跟进记录"),
    "msg.paused": ("{ref} paused ({reason}); clocks stopped", "{ref} 已中止（{reason}），计时暂停"),
    "msg.resumed": ("{ref} resumed ({deadlines})", "{ref} 已恢复处理（{deadlines}）"),
    "msg.extended": ("{ref} regulatory period extended to {days} days from receipt ({deadlines})",
                     "{ref} 监管时限已延长至受理后 {days} 日（{deadlines}）"),
    "msg.resolved": ("{ref} resolved", "{ref} 已办结"),
    "msg.resolved_late": ("{ref} resolved (internal deadline breached)", "{ref} 已办结（已超过内部时限）"),
    "msg.reopened": ("{ref} reopened, cycle {n} ({deadlines})", "{ref} 已重启，第 {n} 轮处理（{deadlines}）"),
    "msg.closed": ("{ref} closed ({satisfaction})", "{ref} 已关闭（{satisfaction}）"),
    "msg.withdrawn": ("{ref} withdrawn by the complainant; the procedure ends {day}",
                      "{ref} 投诉人已撤回投诉，处理程序于 {day} 终止"),
    "msg.repeat": ("{ref}: repeat complaint recorded on the original (no new case, clock unchanged: {deadlines}); "
                   "tell the customer how it is progressing",
                   "{ref}：重复投诉已记入原案件（不新建案件，时限不变：{deadlines}）；请向客户告知办理进度"),
    "msg.new_facts": ("{ref}: new facts or reasons; the clock restarts from {day}, cycle {n} ({deadlines})",
                      "{ref}：有新事实或新理由，自 {day} 起重新计算时限，第 {n} 轮处理（{deadlines}）"),
    "dl.plan": ("plan due {when}", "初步方案时限 {when}"),
    "dl.internal": ("due end of {day}", "处理时限 {day}24:00"),
    "dl.regulatory": ("regulatory end of {day}", "监管时限 {day}24:00"),
})

_PARAM_ENUMS = {"tier": d.Tier, "old": d.Tier, "new": d.Tier, "status": d.Status, "reason": d.PauseReason,
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
        parts.append(t("dl.internal", lang, day=day_text(case["due_at"], lang)))
    if case.get("regulatory_due_at"):
        parts.append(t("dl.regulatory", lang, day=day_text(case["regulatory_due_at"], lang)))
    return ("，" if lang == "zh" else ", ").join(parts)

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
    "anchor.ok": ("ok: {n} anchor(s) match the chain", "正常：{n} 个锚点与审计链一致"),
    "anchor.appended": ("anchor appended to {file}", "锚点已追加到 {file}"),
})


def message(key: str, lang: str, case: dict, **params) -> str:
    """A one-line summary of what a command did, in `lang`."""
    values = {k: (label(v, lang, _PARAM_ENUMS[k]) if k in _PARAM_ENUMS else v) for k, v in params.items()}
    values.setdefault("ref", case.get("reference"))
    values.setdefault("deadlines", deadline_text(case, lang))
    return t(key, lang, **values)


def t(key: str, lang: str = "en", **kwargs) -> str:
    """A header, title or message in `lang`."""
    en, zh = TEXT.get(key, (key, key))
    text = zh if lang == "zh" else en
    return text.format(**kwargs) if kwargs else text
