"""One exception class per thing a user (or the environment) can get wrong.

`UserError` subclasses mean bad input or an illegal move; `EnvironmentFault` subclasses mean the
machine, file or database is not as it should be; `NotPermitted` means the operator's login, role
or branch does not allow the command; `OverdueFound` is --fail-on-overdue's signal. The library
gives no exit codes: the one table from error class to exit code is `cli/errors.py`'s EXIT_CODES.
Each carries a labels.py key and the values it was made from, so that `labels.error_text` says
what was wrong and what is accepted, in English or Chinese.
"""
from __future__ import annotations


class ComplaintctlError(Exception):
    """Base of every error the tool reports as one line.

    An error is made from a labels.py key and the values that fill it (`UserError("err.find_one")`,
    `ConfigError("err.config_bool", key=key, value=value)`): the line itself, in English or Chinese,
    is `labels.error_text(exc, lang)`. (This module cannot import labels.py, which imports it.)"""

    def __init__(self, key: str, /, **params):
        super().__init__(key, params)
        self.label_key, self.label_params = key, params

    def __str__(self) -> str:  # what a traceback under --debug shows; a user reads labels.error_text
        return f"{self.label_key} {self.label_params}"


class UserError(ComplaintctlError):
    """Bad input or an illegal move: nothing was written."""


def shown_value(value: object, limit: int | None = 40, field: str | None = None) -> str:
    """A value as an error line may show it: cut at `limit` characters (None: whole, for a path,
    which is no use cut), personal data masked (a personal field's value by its field, however
    short or malformed), unprintable characters escaped."""
    from .masking import QUOTED, mask_text

    shown = str(value)
    if limit is not None and len(shown) > limit:
        shown = shown[:limit] + "..."
    by_field = QUOTED.get((field or "").lstrip("-").replace("-", "_"))
    # An error line is personal data's way into logs and mail: never in full.
    shown = by_field(shown) if by_field is not None else mask_text(shown)
    return shown.encode("unicode_escape").decode("ascii") if not shown.isprintable() else shown


class InvalidValue(UserError):
    """A value given for a field is not one that is accepted: `accepted` is the labels.py key
    (acc.*) of what is, and `params` fill it: `InvalidValue("--quarter", text, "acc.quarter")`."""

    SHOWN_LIMIT: int | None = 40  # how much of the value the line shows (shown_value)

    def __init__(self, field: str, value: object, accepted: str, /, **params):
        super().__init__("err.invalid", field=field, shown=shown_value(value, self.SHOWN_LIMIT, field))
        self.field = field
        self.shown = self.label_params["shown"]
        self.accepted, self.accepted_params = accepted, params


class InvalidPath(InvalidValue):
    """A file or folder given for an option is not one that is accepted; the error line shows the
    path whole (a path cut at 40 characters hides the part that is wrong)."""

    SHOWN_LIMIT = None


class IllegalMove(UserError):
    """The state machine does not allow this command in the case's current status."""

    def __init__(self, action: str, status: str, allowed: list[str]):
        super().__init__("err.illegal_move", action=action, status=status, allowed=list(allowed))
        self.status = status
        self.action = action
        self.allowed = allowed


class UnknownAction(UserError):
    """No remediation action has that number."""


class UnknownCase(UserError):
    """No case has that reference or id."""

    def __init__(self, key: str):
        super().__init__("err.unknown_case", key=shown_value(key, field="case"))  # a phone or name typed here: masked
        self.key = key


class UnknownStaff(UserError):
    """The named person is not registered staff."""

    def __init__(self, name: str, field: str = "staff"):
        super().__init__("err.unknown_staff", name=shown_value(name, field="staff"), field=field)
        self.name, self.field = name, field


class NotPermitted(ComplaintctlError):
    """The operator's login, role or branch does not allow the command. `kind` names the
    rule (labels.DENIALS); its parameters fill the message in either language."""

    def __init__(self, kind: str, /, **params):
        super().__init__(kind, **params)
        self.kind, self.params = kind, params


class UnfitAssignee(UserError):
    """The assignee's role is below the level the case's tier needs."""


class ConfigError(UserError):
    """The configuration file is unreadable or has a bad value."""


class DuplicateStaff(UserError):
    """A staff member with that name already exists."""


class EnvironmentFault(ComplaintctlError):
    """The database, a file or the machine is not usable."""


class DatabaseUnavailable(EnvironmentFault):
    """The database cannot be opened or is not a complaintctl database."""


class DatabaseNotFound(EnvironmentFault):
    """No database where one was named: only init, demo and db upgrade create one."""


class SchemaTooNew(EnvironmentFault):
    """The database was written by a newer version of the tool."""


class DatabaseBusy(EnvironmentFault):
    """Another writer held the lock for longer than the busy timeout."""


class StoredTimeUnreadable(EnvironmentFault):
    """A stored time that is not one (SQLite keeps whatever text it is given: a row changed behind
    the tool's back): every command that reads it says so, and db check names where it is."""


class CheckFailed(EnvironmentFault):
    """db check found problems (listed on stdout)."""

    def __init__(self, count: int, anchors_file_only: bool = False):
        # (lines of the anchors file that are not whole anchors say nothing against the database)
        super().__init__("err.check_anchors_file" if anchors_file_only else "err.check_failed", count=count)
        self.count = count


class OverdueFound(ComplaintctlError):
    """report overdue --fail-on-overdue found overdue cases (for cron and monitoring)."""

    def __init__(self, count: int):
        super().__init__("err.overdue_found", count=count)
        self.count = count
