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
    "clock.regulatory": ("Regulatory deadline (15 days)", "监管处理时限（15日）"),
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
    "msg.extended": ("{ref} regulatory deadline extended by {days} days ({deadlines})",
                     "{ref} 监管时限已延长 {days} 天（{deadlines}）"),
    "msg.resolved": ("{ref} resolved", "{ref} 已办结"),
    "msg.resolved_late": ("{ref} resolved (internal deadline breached)", "{ref} 已办结（已超过内部时限）"),
    "msg.reopened": ("{ref} reopened, cycle {n} ({deadlines})", "{ref} 已重启，第 {n} 轮处理（{deadlines}）"),
    "msg.closed": ("{ref} closed ({satisfaction})", "{ref} 已关闭（{satisfaction}）"),
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
    "demo.next": ("{open} open and {overdue} overdue demo cases in all; see them with: complaintctl --db {db} list "
                  "(your own register, set up by init, is a different file)",
                  "演示数据共有未结案件 {open} 件、超时 {overdue} 件；查看：complaintctl --db {db} list"
                  "（init 建立的正式登记簿是另一个文件）"),
    "init.ask_branch": ("Branch code", "网点代码"),
    "init.ask_timezone": ("Time zone", "时区"),
    "init.ask_country": ("Calendar country", "节假日日历国家"),
    "init.ask_language": ("Language (en/zh)", "语言（en/zh）"),
    "init.ask_staff": ("First staff (NAME:ROLE, comma-separated)", "首批员工（姓名:角色，逗号分隔）"),
    "init.done": ("wrote {path}; database ready at {where}; {n} staff registered",
                  "已写入配置 {path}；数据库就绪：{where}；已登记 {n} 名员工"),
    "init.existing": ("already registered, left as they are: {names}", "以下员工已登记，保持不变：{names}"),
    "init.has_cases": ("the database at {where} already holds {n} case(s): if this is meant to be a new register, "
                       "run init again with --db NEW_FILE --force",
                       "数据库 {where} 中已有 {n} 件案件：如需全新的登记簿，请用 --db 新文件 --force 重新运行 init"),
    "err.no_branch": ("no branch for this case: give --branch CODE, or set branch in the config "
                      "(complaintctl init --branch CODE)",
                      "未指定网点：请使用 --branch 网点代码，或在配置文件中设置 branch（complaintctl init --branch 网点代码）"),
})
TEXT["no_overdue"] = ("No overdue cases.", "没有超时案件。")
