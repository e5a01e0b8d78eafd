"""One exception class per thing a user (or the environment) can get wrong.

`UserError` subclasses mean bad input or an illegal move; `EnvironmentFault` subclasses mean the
machine, file or database is not as it should be; `NotPermitted` means the operator's login, role
or branch does not allow the command; `OverdueFound` is --fail-on-overdue's signal. The library
gives no exit codes: the one table from error class to exit code is `cli/errors.py`'s EXIT_CODES.
Each carries one line of text that says what was wrong and what is accepted, and the values it
was made from, so that `labels.error_text` can say the same in Chinese.
"""
from __future__ import annotations


class ComplaintctlError(Exception):
    """Base of every error the tool reports as one line."""

    # Set when the message is a labels.py text (made by labels.error): its key and values, from
    # which labels.error_text writes it in either language.
    label_key: str | None = None
    label_params: dict = {}

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class UserError(ComplaintctlError):
    """Bad input or an illegal move: nothing was written."""


class InvalidValue(UserError):
    """A value given for a field is not one that is accepted."""

    def __init__(self, field: str, value: object, accepted: str):
        from .masking import mask_text

        shown = str(value)
        if len(shown) > 40:
            shown = shown[:40] + "..."
        shown = mask_text(shown)  # an error line is personal data's way into logs and mail: never in full
        shown = shown.encode("unicode_escape").decode("ascii") if not shown.isprintable() else shown
        super().__init__(f"invalid {field} {shown!r}: expected {accepted}")
        self.field = field
        self.shown = shown
        self.accepted = accepted


class IllegalMove(UserError):
    """The state machine does not allow this command in the case's current status."""

    def __init__(self, action: str, status: str, allowed: list[str]):
        moves = ", ".join(allowed) if allowed else "none"
        shown = str(status).replace("_", " ")  # the state as it reads: "in progress", not in_progress
        super().__init__(f"cannot {action} a case that is {shown}; allowed from {shown}: {moves}")
        self.status = status
        self.action = action
        self.allowed = allowed


class UnknownAction(UserError):
    """No remediation action has that number."""


class UnknownCase(UserError):
    """No case has that reference or id."""

    def __init__(self, key: str):
        super().__init__(f"unknown case {key!r}: expected the reference of an existing case (see 'complaintctl list --all')")
        self.key = key


class UnknownStaff(UserError):
    """The named person is not registered staff."""

    def __init__(self, name: str, field: str = "staff"):
        super().__init__(f"unknown {field} {name!r}: expected registered staff (see 'complaintctl staff list')")
        self.name, self.field = name, field


class NotPermitted(ComplaintctlError):
    """The operator's login, role or branch does not allow the command. `kind` names the
    rule (labels.DENIALS); its parameters fill the message in either language."""

    def __init__(self, message: str, kind: str = "", params: dict | None = None):
        super().__init__(message)
        self.kind, self.params = kind, dict(params or {})


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


class CheckFailed(EnvironmentFault):
    """db check found problems (listed on stdout)."""

    def __init__(self, count: int):
        super().__init__(f"{count} problem(s) found: the database does not hold what its history says")
        self.count = count


class OverdueFound(ComplaintctlError):
    """report overdue --fail-on-overdue found overdue cases (for cron and monitoring)."""

    def __init__(self, count: int):
        super().__init__(f"{count} overdue case(s) found (--fail-on-overdue)")
        self.count = count
