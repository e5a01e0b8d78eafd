"""What every service needs from outside (the clock, who is acting, the rules in force), and the
reading and showing of the times a user types.

Times typed by a user are read in one place (`read_time`): ISO 8601 (or a given strptime format),
24:00 (as deadlines are shown) being 00:00 of the next day, read in the business timezone when
they carry no offset, between MIN_YEAR and MAX_YEAR.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace
from typing import Any

from .config import Policy
from .deadlines import BusinessCalendar
from .domain import clean_name
from .errors import InvalidValue, UserError

UTC = dt.timezone.utc
MIN_YEAR, MAX_YEAR = 1990, 2100
ISO_ACCEPTED = "acc.iso_time"  # labels.py's key of what a time may be typed as


@dataclass
class Context:
    """What every service needs from outside: the clock, who is acting, and the rules in force."""

    now: dt.datetime
    actor: str
    policy: Policy
    calendar: BusinessCalendar
    masking: bool = True
    warnings: list[str] = field(default_factory=list)
    codes: Any = None  # the JR/T 0169 code book in force (codes.CodeBook); the standard one if None
    settings: dict[str, Any] = field(default_factory=dict)  # other config values a service reads (letters)
    operator: Any = None  # the identified access.Operator; None in library use without a login (no check passes)
    regions: dict[str, str] = field(default_factory=dict)  # branch -> region, config's [regions] (the return)
    row_security: bool = False  # the server binds each login to its branch's cases (access.bound_branch)

    @property
    def tz(self):
        return self.calendar.tz

    @property
    def code_book(self):
        if self.codes is None:
            from .codes import standard

            self.codes = standard()
        return self.codes

    def at(self, now: dt.datetime) -> "Context":
        """The same context with the clock read at another moment (a report --as-of)."""
        return replace(self, now=now, warnings=[])


def make_context(now: dt.datetime, actor, policy: Policy, masking: bool = True, cache_dir=None,
                 codes=None, settings: dict[str, Any] | None = None, regions: dict[str, str] | None = None,
                 calendar: BusinessCalendar | None = None, row_security: bool = False) -> Context:
    """The services' context; `cache_dir`, if given, keeps computed calendar years between runs.
    `actor` is the identified operator (access.identify), or a bare name for library use. An
    operator who reaches no case where the server binds logins to branches (access.bound_branch:
    front-line staff of the higher institution) stops here, exit 4, rather than every list and
    report of theirs saying nothing is there."""
    op = None if isinstance(actor, str) else actor
    ctx = Context(now=now, actor=op.actor if op else actor, policy=policy,
                  calendar=calendar if calendar is not None else BusinessCalendar(policy, cache_dir=cache_dir),
                  masking=masking, codes=codes,
                  settings=dict(settings or {}), operator=op, regions=dict(regions or {}), row_security=row_security)
    if row_security:
        from .access import bound_branch

        bound_branch(ctx)
    return ctx


def read_time(text: str | None, tz, field_name: str, *, date_format: str | None = None,
              accepted: str = ISO_ACCEPTED, **accepted_params) -> dt.datetime | None:
    """A time typed by a user (or read from a file) as an aware UTC datetime; None for None.

    ISO 8601 date or date-time (a space may stand for the T), or `date_format` (strptime) when
    given; without an offset it is read in `tz`. `accepted` (a labels key, filled by
    `accepted_params`) says what was expected when the text is not a time."""
    if text is None:
        return None
    raw = str(text).strip()
    if not raw:
        raise InvalidValue(field_name, text, accepted, **accepted_params)
    try:
        value = dt.datetime.strptime(raw, date_format) if date_format else _typed_time(raw)
    except (ValueError, OverflowError):
        raise InvalidValue(field_name, text, accepted, **accepted_params) from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=tz)
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise InvalidValue(field_name, text, "acc.date_between", low=MIN_YEAR, high=MAX_YEAR)
    return value.astimezone(UTC)


def _typed_time(raw: str) -> dt.datetime:
    """A time typed in any form read_time accepts without a format (naive unless it carries an
    offset), or ValueError. 24:00 is 00:00 of the next day, as the clocks show a deadline."""
    try:  # (first the form nearly every time has: an import reads one a row this way)
        return dt.datetime.fromisoformat(raw.replace(" ", "T", 1) if len(raw) > 10 else raw)
    except ValueError:
        end = _END_OF_DAY.match(_normalised(raw))  # (an hour of 24 is refused by fromisoformat)
        if end is not None:
            return _typed_time(f"{end['day']} 00:00{end['offset'] or ''}") + dt.timedelta(days=1)
        value = _loose_time(raw)
        if value is None:
            raise
        return value


# The end of a day as deadlines are shown (2026-12-02 24:00), also 24:00:00 and ISO 8601's T24:00;
# only an exact 24:00 (24:01, 25:00 stay refused by the date-time readers below).
_END_OF_DAY = re.compile(r"^(?P<day>.+?)[ T]+24(?::?00(?::?00(?:[.,]0+)?)?)?(?P<offset>Z|[+-]\d{2}(?::?\d{2})?)?$")


# A time as a counter types it: 2026/10/9 9:30, 2026.10.09, 2026-10-9 (full-width digits too).
_LOOSE = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$")


def _normalised(text: str) -> str:
    """A typed time with full-width digits and marks as ASCII."""
    import unicodedata

    return unicodedata.normalize("NFKC", text).strip()


def _loose(text: str):
    """The parts of a time typed as _LOOSE reads it (full-width digits and marks as ASCII), or None."""
    return _LOOSE.match(_normalised(text))


def _loose_time(raw: str) -> dt.datetime | None:
    """A date, or a date and local time, with / or . between its parts and one-digit months, days
    and hours; None for anything else (and for a day that does not exist)."""
    m = _loose(raw)
    if m is None:
        return None
    try:
        return dt.datetime(*(int(x) for x in m.groups() if x is not None))
    except ValueError:
        return None


def is_date(text: str) -> bool:
    """A typed time that is a date alone, in any form read_time takes (2026-10-09, 2026/10/9,
    20261009, 2026-W41-5, a week 2026-W41): as a window's end, its whole day (date_days)."""
    return date_days(text) > 0


def date_days(text: str) -> int:
    """The days a typed time spans when it is a date alone (read_time reads its first day's 00:00):
    7 for an ISO week without its day (2026-W48: Monday to Sunday), 1 for a day, 0 for a time."""
    m = _loose(text)
    if m is not None:
        return 1 if m.group(4) is None else 0
    plain = _normalised(text)
    try:
        dt.date.fromisoformat(plain)
    except ValueError:
        return 0
    return 7 if _WEEK.match(plain) else 1


_WEEK = re.compile(r"^\d{4}-?W\d{2}$")


def parse_time(text: str | None, ctx: Context, field_name: str) -> dt.datetime | None:
    """ISO 8601 date or date-time; without an offset it is read in the business timezone."""
    return read_time(text, ctx.tz, field_name)


def as_of_time(as_of: str | dt.datetime | None, ctx: Context) -> dt.datetime:
    """The moment a report or a view reads the clocks at: --as-of as typed (an empty one refused, as
    every empty option is, never read as left out), else now."""
    if isinstance(as_of, dt.datetime):
        return as_of
    return parse_time(as_of, ctx, "--as-of") if as_of is not None else ctx.now


def parse_date(text: str | None, field_name: str) -> dt.date | None:
    """A calendar date (YYYY-MM-DD) between MIN_YEAR and MAX_YEAR; None for None."""
    if text is None:
        return None
    try:
        value = dt.date.fromisoformat(str(text).strip())
    except ValueError:
        raise InvalidValue(field_name, text, "acc.date_example") from None
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise InvalidValue(field_name, text, "acc.date_between", low=MIN_YEAR, high=MAX_YEAR)
    return value


def action_time(at: str | dt.datetime | None, ctx: Context, case=None, field_name: str = "--at") -> dt.datetime:
    """When an action really happened (default now): not in the future, not before the case (if
    given) was received."""
    moment = at if isinstance(at, dt.datetime) else parse_time(at, ctx, field_name)
    if moment is None:
        return ctx.now
    typed = at.strip() if isinstance(at, str) else None  # (quoted as typed: `24:00` is read as the next day's 00:00)
    if moment > ctx.now:
        raise InvalidValue(field_name, typed or said_time(moment, ctx), "acc.not_future_now", now=said_time(ctx.now, ctx))
    if case is not None and moment < case.received_at:
        raise InvalidValue(field_name, typed or said_time(moment, ctx), "acc.after_received",
                           at=said_time(case.received_at, ctx))
    return moment


def said_time(moment: dt.datetime, ctx: Context) -> str:
    """A moment as an error line says it: in the business zone as the tables show times (seconds
    only when there are some), not as ISO 8601 with its offset."""
    local = ctx.calendar.local(moment)
    return f"{local:%Y-%m-%d %H:%M:%S}" if local.second or local.microsecond else f"{local:%Y-%m-%d %H:%M}"


def show_time(moment: dt.datetime | None, ctx: Context) -> str | None:
    """A time as every JSON output writes it: ISO 8601 in the business timezone, to the second."""
    return None if moment is None else moment.astimezone(ctx.tz).isoformat(timespec="seconds")


# A branch's region recorded in the database is a setting named by this prefix and the branch.
REGION_PREFIX = "region:"


def regions_recorded(rows) -> dict[str, str]:
    """Branch -> region from the settings rows (key, value) that record them (services.regions_select)."""
    return {key[len(REGION_PREFIX):]: value for key, value in rows}


def regions_in_force(recorded: dict[str, str], configured: dict[str, str] | None) -> dict[str, str]:
    """The regions a command uses: config's [regions] add to the regions recorded in the database and
    override them branch by branch."""
    return {**recorded, **(configured or {})}


@dataclass(frozen=True)
class Scope:
    """The cases a return (or `report late-entries`) covers: every branch (kind ""), one branch ("one", its name) or the
    branches of one region ("many", their names)."""

    kind: str = ""
    value: Any = None


def scope(ctx: Context, branch: str | None = None, region: str | None = None) -> Scope:
    """The return's scope from --branch or --region (the regions in force: regions_in_force;
    an unknown region is refused, naming the known ones)."""
    if branch is not None and region is not None:
        raise UserError("err.region_and_branch")
    if branch is not None:  # (an empty one is refused, never read as left out: the whole bank)
        return Scope("one", clean_name("--branch", branch))
    if region is None:
        return Scope()
    wanted = region.strip()
    branches = sorted(b for b, r in ctx.regions.items() if r == wanted)
    if not branches:
        known = sorted(set(ctx.regions.values()))
        raise InvalidValue("--region", region, "acc.region" if known else "acc.region_none", known=known)
    return Scope("many", branches)
