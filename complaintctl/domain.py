"""The complaint domain: choices, the state machine and the rules that need no database."""
from __future__ import annotations

import re
from enum import StrEnum

from .errors import IllegalMove, InvalidValue


class Tier(StrEnum):
    GENERAL = "general"
    IMPORTANT = "important"
    URGENT = "urgent"


class Status(StrEnum):
    RECEIVED = "received"
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    PAUSED = "paused"
    RESOLVED = "resolved"
    CLOSED = "closed"
    REOPENED = "reopened"
    WITHDRAWN = "withdrawn"
    UNDER_REVIEW = "under_review"
    REVIEWED = "reviewed"


class Channel(StrEnum):
    HOTLINE = "hotline"
    ONLINE_BANKING = "online_banking"
    MOBILE_APP = "mobile_app"
    BRANCH_COUNTER = "branch_counter"
    SUGGESTION_BOX = "suggestion_box"
    LETTER = "letter"
    EMAIL = "email"
    REGULATOR_REFERRAL = "regulator_referral"
    OTHER = "other"


class Product(StrEnum):
    DEPOSIT = "deposit"
    WEALTH_MANAGEMENT = "wealth_management"
    FUND = "fund"
    INSURANCE_AGENCY = "insurance_agency"
    LOAN = "loan"
    CREDIT_CARD = "credit_card"
    PAYMENT = "payment"
    FOREX = "forex"
    OTHER = "other"


class Category(StrEnum):
    SERVICE_ATTITUDE = "service_attitude"
    MISSELLING = "misselling"
    DISCLOSURE = "disclosure"
    FEES = "fees"
    PRODUCT_RETURN = "product_return"
    CONTRACT_TERMS = "contract_terms"
    FUND_SAFETY = "fund_safety"
    INFORMATION_SECURITY = "information_security"
    SYSTEM_FAILURE = "system_failure"
    DEBT_COLLECTION = "debt_collection"
    OTHER = "other"


class Role(StrEnum):
    STAFF = "staff"
    MANAGER = "manager"
    EXECUTIVE = "executive"
    ADMIN = "admin"  # the tool's administrator: staff, logins, masking policy; not a case handler
    SYSTEM = "system"  # a service account (cron): reports and automatic escalation only


# Roles that handle complaints belong to a branch, or (written "-") to the higher institution.
HANDLING_ROLES = frozenset({Role.STAFF, Role.MANAGER, Role.EXECUTIVE})
NO_BRANCH = "-"


class PauseReason(StrEnum):
    CUSTOMER_MATERIALS = "customer_materials"
    APPRAISAL = "appraisal"
    OTHER = "other"


class ReviewOutcome(StrEnum):
    UPHELD = "upheld"
    CHANGED = "changed"


class IdType(StrEnum):
    RESIDENT_ID = "resident_id"
    PASSPORT = "passport"
    HK_MACAO_PERMIT = "hk_macao_permit"
    TAIWAN_PERMIT = "taiwan_permit"
    FOREIGN_RESIDENCE = "foreign_residence"
    OTHER = "other"


class Relief(StrEnum):
    """The routes of relief a decision tells the customer of (Order 2020 No. 3)."""

    REVIEW = "review"
    MEDIATION = "mediation"
    ARBITRATION = "arbitration"
    LITIGATION = "litigation"


class NotifiedVia(StrEnum):
    PHONE = "phone"
    SMS = "sms"
    LETTER = "letter"
    IN_PERSON = "in_person"
    EMAIL = "email"


class Satisfaction(StrEnum):
    SATISFIED = "satisfied"
    UNSATISFIED = "unsatisfied"
    NO_RESPONSE = "no_response"


class Action(StrEnum):
    LOG = "log"
    IMPORT = "import"
    ASSIGN = "assign"
    ESCALATE = "escalate"
    RESPOND = "respond"
    NOTE = "note"
    PAUSE = "pause"
    RESUME = "resume"
    EXTEND = "extend"
    RESOLVE = "resolve"
    REOPEN = "reopen"
    CLOSE = "close"
    WITHDRAW = "withdraw"
    REPEAT = "repeat"
    REVIEW = "review"
    REVIEW_DECIDE = "review_decide"
    REVEAL = "reveal"
    PURGE = "purge"
    STAFF_ADD = "staff_add"
    STAFF_DEACTIVATE = "staff_deactivate"
    STAFF_REACTIVATE = "staff_reactivate"
    STAFF_ROLE = "staff_role"
    MASKING = "masking"
    EXTENSION_REQUEST = "extension_request"
    ACTION_ADD = "action_add"
    ACTION_DONE = "action_done"
    LETTER = "letter"
    REGIONS = "regions"
    RULES = "rules"


class ActionStatus(StrEnum):
    """The state of a remediation action."""

    OPEN = "open"
    DONE = "done"


OPEN_STATUSES = frozenset(
    {Status.RECEIVED, Status.ASSIGNED, Status.IN_PROGRESS, Status.PAUSED, Status.REOPENED, Status.UNDER_REVIEW}
)
# Open and handled by the bank's first line (a case under review is the reviewer's, on its own clock).
HANDLING_STATUSES = OPEN_STATUSES - {Status.UNDER_REVIEW}
_WORKING = (Status.RECEIVED, Status.ASSIGNED, Status.IN_PROGRESS, Status.REOPENED)

# (action) -> {from status: to status}. Resume is special: it returns to the status the
# case had before the pause, which the caller supplies.
TRANSITIONS: dict[Action, dict[Status, Status]] = {
    Action.ASSIGN: {
        Status.RECEIVED: Status.ASSIGNED,
        Status.ASSIGNED: Status.ASSIGNED,
        Status.IN_PROGRESS: Status.IN_PROGRESS,
        Status.REOPENED: Status.ASSIGNED,
        Status.PAUSED: Status.PAUSED,
    },
    Action.RESPOND: {s: Status.IN_PROGRESS for s in _WORKING},
    Action.NOTE: {s: s for s in (*OPEN_STATUSES, Status.RESOLVED, Status.REVIEWED)},
    Action.PAUSE: {s: Status.PAUSED for s in _WORKING},
    Action.RESUME: {Status.PAUSED: Status.IN_PROGRESS},
    Action.ESCALATE: {s: s for s in HANDLING_STATUSES},
    Action.EXTEND: {s: s for s in HANDLING_STATUSES},
    Action.RESOLVE: {s: Status.RESOLVED for s in _WORKING},
    Action.REOPEN: {Status.RESOLVED: Status.REOPENED, Status.CLOSED: Status.REOPENED},
    Action.CLOSE: {Status.RESOLVED: Status.CLOSED},
    # The complainant withdraws: the procedure ends that day, neither resolved nor breached after.
    Action.WITHDRAW: {s: Status.WITHDRAWN for s in OPEN_STATUSES},
    # The same complaint again while it is being handled: recorded on the case, no new case.
    Action.REPEAT: {s: s for s in HANDLING_STATUSES},
    # The customer disagrees with the decision: a higher level reviews it, once.
    Action.REVIEW: {Status.RESOLVED: Status.UNDER_REVIEW, Status.CLOSED: Status.UNDER_REVIEW},
    Action.REVIEW_DECIDE: {Status.UNDER_REVIEW: Status.REVIEWED},
}


def allowed_actions(status: Status) -> list[str]:
    """The commands that may be run on a case in this status, in a stable order."""
    return [a.value for a, moves in TRANSITIONS.items() if status in moves]


def next_status(status: Status, action: Action, paused_from: Status | None = None) -> Status:
    """The status after `action`, or IllegalMove naming the current status and the legal moves."""
    moves = TRANSITIONS.get(action)
    if moves is None:
        return status
    if status not in moves:
        raise IllegalMove(action.value, status.value, allowed_actions(status))
    if action is Action.RESUME and paused_from is not None:
        return paused_from
    return moves[status]


def replay(events: list[tuple[str, dict]]) -> Status | None:
    """Rebuild a case's status from its (action, new-values) events; None when there are none.

    Raises IllegalMove if the history contains a move the state machine forbids.
    """
    status: Status | None = None
    before_pause: Status | None = None
    for action_name, new in events:
        action = Action(action_name)
        if action in (Action.LOG, Action.IMPORT):
            status = Status(new["status"])
            if new.get("paused_from"):  # imported paused: it resumes to where it was
                before_pause = Status(new["paused_from"])
            continue
        if status is None or action not in TRANSITIONS:
            continue
        if action is Action.PAUSE:
            before_pause = status
        status = next_status(status, action, before_pause if action is Action.RESUME else None)
    return status


# How senior a handler is; administrators and service accounts handle no cases.
ROLE_LEVEL = {Role.STAFF: 1, Role.MANAGER: 2, Role.EXECUTIVE: 3, Role.ADMIN: 0, Role.SYSTEM: 0}
TIER_LEVEL = {Tier.GENERAL: 1, Tier.IMPORTANT: 2, Tier.URGENT: 3}
TIER_HANDLER = {Tier.GENERAL: Role.STAFF, Tier.IMPORTANT: Role.MANAGER, Tier.URGENT: Role.EXECUTIVE}


def can_handle(role: Role, tier: Tier) -> bool:
    """Whether staff of `role` may own a case of `tier` (general: anyone; urgent: executives)."""
    return ROLE_LEVEL[role] >= TIER_LEVEL[tier]


def below_tier(role: str | None, tier: str) -> bool:
    """Whether a case of `tier` is with a handler (staff, manager or executive) whose `role` may not
    own it: after `escalate --overdue`, or an override. What list, the reports and show mark
    `(below tier)` on an open case (finished.below_tier_sql is the SQL of it)."""
    return role in (Role.STAFF, Role.MANAGER, Role.EXECUTIVE) and not can_handle(Role(role), Tier(tier))


def next_tier(tier: Tier) -> Tier | None:
    return {Tier.GENERAL: Tier.IMPORTANT, Tier.IMPORTANT: Tier.URGENT}.get(tier)


# Field validation ---------------------------------------------------------------------------

# Separators a number is written with (full-width brackets too): a phone's or an identifier's.
PHONE_SEPARATORS = re.compile(r"[\s\-.()\uff08\uff09\u2010-\u2015\u2212]")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_ACCOUNT = re.compile(r"^\d{12,19}$")
# What must never reach a terminal from data: C0 and C1 control characters (ESC starts the escape
# sequences that retitle a window or rewrite a line; CR overwrites one) and the bidirectional
# marks, embeddings, overrides and isolates that make text display in another order than it reads.
# Newline and tab are allowed in free text, nowhere else.
_UNSAFE = "\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_CONTROL = re.compile(f"[{_UNSAFE}]")
_CONTROL_OR_SPACING = re.compile(f"[{_UNSAFE}\t\n]")
MAX_TEXT = 100_000
MAX_NAME = 200


def clean_email(value: str) -> str:
    v = value.strip()
    if len(v) <= 254 and _EMAIL.match(v):
        return v
    raise InvalidValue("email", value, "acc.email")


def compact(value: str) -> str:
    """An identifier as typed without its spaces, dashes, dots and brackets (full-width ones too)."""
    import unicodedata

    return PHONE_SEPARATORS.sub("", unicodedata.normalize("NFKC", value.strip()))


def clean_account(value: str) -> str:
    """An account or card number as digits alone: written with spaces or hyphens (6222 0212 3456
    7890, 6222-0212-3456-7890) or in full-width digits (from a Chinese input method) as well."""
    import unicodedata

    v = re.sub(r"[\s-]", "", unicodedata.normalize("NFKC", value.strip()))
    if _ACCOUNT.match(v):
        return v
    raise InvalidValue("account", value, "acc.account_digits")


_RESIDENT_ID = re.compile(r"^\d{17}[\dX]$")
_DOCUMENT = re.compile(r"^[A-Z0-9-]{5,30}$")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def clean_id_number(id_type: "IdType", value: str) -> str:
    """An identity document number: a resident ID card's 18 characters with a valid check character
    (GB 11643), or 5 to 30 letters, digits and hyphens for other documents."""
    v = value.strip().replace(" ", "").upper()
    if id_type == IdType.RESIDENT_ID:
        if _RESIDENT_ID.match(v):
            check = "10X98765432"[sum(int(c) * w for c, w in zip(v, _ID_WEIGHTS)) % 11]
            if v[-1] == check:
                return v
        raise InvalidValue("--id-number", "*" * len(v), "acc.resident_id")
    if _DOCUMENT.match(v):
        return v
    raise InvalidValue("--id-number", "*" * len(v), "acc.document_number")


def clean_text(field: str, value: str | None, *, required: bool = True, limit: int = MAX_TEXT) -> str | None:
    """Strip a free-text value and refuse empty, over-long or control-character input."""
    if value is None:
        if required:
            raise InvalidValue(field, "", "acc.non_empty")
        return None
    v = value.replace("\r\n", "\n").strip()
    if not v:
        if required:
            raise InvalidValue(field, value, "acc.non_empty")
        return None
    # Free text (longer than a name may be) is never quoted back, even masked: no pattern finds the
    # name or the address in it. The line says where the fault is instead.
    free = limit > MAX_NAME
    if len(v) > limit:
        raise InvalidValue(field, "\u2026" if free else v[:20] + "...", "acc.max_chars_got", limit=limit, got=len(v))
    found = _CONTROL.search(v)
    if found:  # (free text: only the character, '…U+0007…', in any language)
        raise InvalidValue(field, f"\u2026U+{ord(found.group()):04X}\u2026" if free else v[:20], "acc.no_control")
    return v


def clean_name(field: str, value: str | None, *, required: bool = True) -> str | None:
    """One line of text (a name, a branch, a department): no line breaks or tabs, at most MAX_NAME."""
    if value is not None:
        inner = value.strip()
        if "\n" in inner or "\r" in inner or "\t" in inner:
            raise InvalidValue(field, inner[:20], "acc.single_line")
    return clean_text(field, value, required=required, limit=MAX_NAME)


_LOGIN = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.@-]{0,62}$")


def clean_login(value: str | None, field: str = "--login") -> str | None:
    """An operating-system account or PostgreSQL login name: letters, digits, _ . @ - (at most 63)."""
    if value is None:
        return None
    v = value.strip()
    if not _LOGIN.match(v):
        raise InvalidValue(field, value, "acc.login_name")
    return v


def terminal_safe(value: str, *, multiline: bool = True) -> str:
    """Text as it may be shown on a terminal: every control character and bidirectional override
    removed (newlines and tabs kept in free text), for data that came in before input was checked."""
    pattern = _CONTROL if multiline else _CONTROL_OR_SPACING
    return pattern.sub("", value) if pattern.search(value) else value


def format_reference(year: int, case_id: int) -> str:
    """References are derived from the row id, so concurrent writers can never collide."""
    return f"C-{year}-{case_id:06d}"


_REF = re.compile(r"^C-(\d{4})-(\d+)$", re.IGNORECASE)


MAX_ID = 2**31 - 1  # the largest row id both backends keep (PostgreSQL's integer)


def parse_case_key(text: str) -> int:
    """Accept a reference (C-2026-000123) or a numeric id, in full-width characters too (a Chinese
    input method's); return the row id."""
    import unicodedata

    t = unicodedata.normalize("NFKC", text).strip()
    m = _REF.match(t)
    if m and int(m.group(2)) <= MAX_ID:
        return int(m.group(2))
    if t.isdigit() and len(t) < 12 and int(t) <= MAX_ID:  # (a phone number typed here is no id)
        return int(t)
    raise InvalidValue("case", text, "acc.case_key")


def names_kept(text: str | None) -> list[str]:
    """A list of names a case keeps as comma-separated text (its co-handlers, its departments)."""
    return text.split(",") if text else []
