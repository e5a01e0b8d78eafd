"""The business calendar and every clock a case runs on: pure functions of times, calendar and policy.

Counting rules (PRC Civil Code arts. 200-204): a period counted in days starts on the day after
the day of the event; when its last day is a statutory rest day it ends on the next working day; it
ends at 24:00 of its last day. Deadlines are stored as that midnight (the start of the following
day, in UTC) and a clock is breached when now >= due.

Two calendars: the statutory one (the national calendar: weekends, public holidays, make-up working
days) decides every period the regulator counts; the bank's own (statutory plus the config's local
closures and extra working days) decides the internal working-day limits.
"""
from __future__ import annotations

import datetime as dt
import functools
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from functools import cached_property
from zoneinfo import ZoneInfo

from .config import Policy
from .domain import Tier
from .labels import duration, format_day, t

DAY = 86400
DAY_MICROS = DAY * 1_000_000
UTC = dt.timezone.utc
_US_DATE = re.compile(r"\b(\d{2})/(\d{2})/(\d{4})\b")
# Countries whose government publishes each year's holiday and make-up schedule in advance;
# for them a year the holidays package has no official schedule for is "provisional".
_PUBLISHED_SCHEDULES = {"CN"}


def micros(delta: dt.timedelta) -> int:
    """A timedelta in whole microseconds, exactly."""
    return (delta.days * DAY + delta.seconds) * 1_000_000 + delta.microseconds


class BusinessCalendar:
    """Working days of one country (and subdivision) plus local closures and extra working days."""

    def __init__(self, policy: Policy, language: str | None = None, cache_dir: Path | None = None):
        self.policy = policy
        self.tz = ZoneInfo(policy.timezone)
        self._language = language
        self._cache: dict[dt.date, bool] = {}
        self._statutory: dict[dt.date, bool] = {}
        self._prefix: dict[int, list[int]] = {}
        self._odd: dict[int, tuple[tuple[dt.date, int], ...]] = {}
        self._store = _YearStore(cache_dir, policy) if cache_dir is not None else None

    @cached_property
    def _holidays(self):
        """The country's holidays, named in `language`; with none, in the country's own language
        (China's in Chinese), whatever the process's locale: the package would otherwise name them
        after LANG, and the calendar's table, which keeps the names, would read differently to
        `db check` run from cron (no LANG) than as written at a terminal (LANG=en_US.UTF-8)."""
        import holidays

        found = holidays.country_holidays(self.policy.country, subdiv=self.policy.subdivision, language=self._language)
        if self._language is None and found.default_language:
            found = holidays.country_holidays(self.policy.country, subdiv=self.policy.subdivision,
                                              language=found.default_language)
        return found

    @property
    def name(self) -> str:
        """A short identity of the calendar, stored with each case's deadlines."""
        sub = f"-{self.policy.subdivision}" if self.policy.subdivision else ""
        extra = ""
        if self.policy.extra_holidays or self.policy.extra_workdays:
            extra = f"+{len(self.policy.extra_holidays)}h{len(self.policy.extra_workdays)}w"
        return f"{self.policy.country}{sub}{extra}"

    def is_working_day(self, day: dt.date) -> bool:
        """A working day of the bank: the statutory calendar with local closures and extra days."""
        cached = self._cache.get(day)
        if cached is None:
            if day in self.policy.extra_workdays:
                cached = True
            elif day in self.policy.extra_holidays:
                cached = False
            else:
                cached = self.is_statutory_working_day(day)
            self._cache[day] = cached
        return cached

    def is_statutory_working_day(self, day: dt.date) -> bool:
        """A working day of the national calendar: what moves a period the regulator counts
        (a branch's own closure does not)."""
        cached = self._statutory.get(day)
        if cached is None:
            if self._store is not None:
                cached = self._store.is_working_day(day, self)
            else:
                cached = bool(self._holidays.is_working_day(day))
            self._statutory[day] = cached
        return cached

    def is_weekend(self, day: dt.date) -> bool:
        """The day falls on the country's weekend (Saturday and Sunday in China and Britain, Friday
        and Saturday in Israel), as the holidays package has it."""
        return day.weekday() in self._holidays.weekend

    def holiday_name(self, day: dt.date) -> str | None:
        if day in self.policy.extra_holidays:
            return "local closure"
        return self._holidays.get(day)

    def holiday_text(self, day: dt.date, lang: str = "en") -> str | None:
        """holiday_name as a person reads it: a date in it as ISO 8601, not the package's American
        month/day/year ("Day off (substituted from 2026-09-20)"), a local closure in `lang`. (The
        calendar's table keeps the name as the package gives it: db check compares its rows with
        holiday_name.)"""
        if day in self.policy.extra_holidays:
            return t("holiday.local_closure", lang)
        name = self._named(lang).get(day)
        return _US_DATE.sub(r"\3-\1-\2", name) if name else name

    def _named(self, lang: str):
        """The statutory holidays with their names in `lang` (the package's own names where it has
        none in that language)."""
        from .labels import calendar_locale

        locale = calendar_locale(lang)
        if locale == self._language:
            return self._holidays
        named = self.__dict__.setdefault("_by_locale", {})
        if locale not in named:
            import holidays

            named[locale] = holidays.country_holidays(self.policy.country, subdiv=self.policy.subdivision,
                                                      language=locale)
        return named[locale]

    @cached_property
    def official_through(self) -> int | None:
        """The last year with an officially published schedule, for countries that publish one."""
        if self.policy.country not in _PUBLISHED_SCHEDULES:
            return None
        if self._store is not None:
            return self._store.official_through(self)
        return self._official_through_now()

    def _official_through_now(self) -> int | None:
        years = getattr(self._holidays, "special_public_holidays", None) or {}
        return max(years) if years else None

    def is_provisional(self, year: int) -> bool:
        last = self.official_through
        return last is not None and year > last

    # Local time ------------------------------------------------------------------------

    def local(self, moment: dt.datetime) -> dt.datetime:
        return moment.astimezone(self.tz)

    def local_date(self, moment: dt.datetime) -> dt.date:
        return moment.astimezone(self.tz).date()

    def start_of_day(self, day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(), self.tz).astimezone(UTC)

    def end_of_day(self, day: dt.date) -> dt.datetime:
        """24:00 local at the end of `day`, i.e. the following midnight, in UTC."""
        return self.start_of_day(day + dt.timedelta(days=1))

    # Counting --------------------------------------------------------------------------

    def next_working_day(self, day: dt.date, *, statutory: bool = False) -> dt.date:
        """`day` itself if it is a working day, else the first working day after it (of the
        national calendar when `statutory`)."""
        test = self.is_statutory_working_day if statutory else self.is_working_day
        for _ in range(400):
            if test(day):
                return day
            day += dt.timedelta(days=1)
        raise ValueError("no working day within 400 days; check the calendar configuration")

    def add_working_days(self, day: dt.date, n: int) -> dt.date:
        """The Nth working day after `day` (`day` itself is not counted)."""
        count = 0
        for _ in range(n * 7 + 400):
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                count += 1
                if count == n:
                    return day
        raise ValueError("no working day within 400 days; check the calendar configuration")

    def _year_prefix(self, year: int) -> list[int]:
        """prefix[i] = working days among the first i days of `year` (cached per year)."""
        prefix = self._prefix.get(year)
        if prefix is None:
            prefix = [0]
            day = dt.date(year, 1, 1)
            while day.year == year:
                prefix.append(prefix[-1] + self.is_working_day(day))
                day += dt.timedelta(days=1)
            self._prefix[year] = prefix
        return prefix

    def count_working_days(self, first: dt.date, stop: dt.date) -> int:
        """Working days in [first, stop): O(years spanned), not O(days)."""
        if stop <= first:
            return 0
        if first.year == stop.year:
            p = self._year_prefix(first.year)
            return p[stop.timetuple().tm_yday - 1] - p[first.timetuple().tm_yday - 1]
        p = self._year_prefix(first.year)
        total = p[-1] - p[first.timetuple().tm_yday - 1]
        for year in range(first.year + 1, stop.year):
            total += self._year_prefix(year)[-1]
        return total + self._year_prefix(stop.year)[stop.timetuple().tm_yday - 1]

    def _odd_days(self, year: int) -> tuple[tuple[dt.date, int], ...]:
        """The days of `year` that are not 24 hours long (a daylight-saving change, a zone's change
        of offset), each with its excess over 24 hours in microseconds: cached a year."""
        found = self._odd.get(year)
        if found is None:
            odd, day = [], dt.date(year, 1, 1)
            start = self.start_of_day(day)
            while day.year == year:
                end = self.end_of_day(day)
                if (length := micros(end - start)) != DAY_MICROS:
                    odd.append((day, length - DAY_MICROS))
                day, start = day + dt.timedelta(days=1), end
            found = self._odd[year] = tuple(odd)
        return found

    def working_day_micros(self, first: dt.date, stop: dt.date) -> int:
        """The length of the working days in [first, stop), each its own (23 or 25 hours on a
        daylight-saving change), in microseconds."""
        if stop <= first:
            return 0
        total = self.count_working_days(first, stop) * DAY_MICROS
        for year in range(first.year, stop.year + 1):
            for day, excess in self._odd_days(year):
                if first <= day < stop and self.is_working_day(day):
                    total += excess
        return total

    def working_micros(self, start: dt.datetime, end: dt.datetime) -> int:
        """Working time between two moments in whole microseconds (negative when end < start): the
        part of each working day between them, each day its own length (as add_working_seconds
        counts it). The working time since the start of the first day's is a running total
        (working_day_micros), so this is the total at `end` less the total at `start`, as the
        business_days table's working_micros_before counts it in SQL."""
        if end < start:
            return -self.working_micros(end, start)
        first, last = self.local_date(start), self.local_date(end)
        if first == last:
            return micros(end - start) if self.is_working_day(first) else 0
        total = self.working_day_micros(first, last)
        if self.is_working_day(first):
            total -= micros(start - self.start_of_day(first))
        if self.is_working_day(last):
            total += micros(end - self.start_of_day(last))
        return total

    def working_seconds(self, start: dt.datetime, end: dt.datetime) -> float:
        """Seconds between two moments that fall on working days (negative when end < start, -0.0
        when no working time lies between: a clock run out over a weekend is still past): the
        working microseconds over a million, one correctly rounded division."""
        if end < start:
            return -(self.working_micros(end, start) / 1_000_000)
        return self.working_micros(start, end) / 1_000_000

    def add_working_seconds(self, start: dt.datetime, seconds: float) -> dt.datetime:
        """The moment `seconds` of working-day time after `start` (before it when negative)."""
        if seconds < 0:
            return self._subtract_working_seconds(start, -seconds)
        cursor, remaining = start, seconds
        for _ in range(int(seconds // DAY) * 7 + 800):
            day = self.local_date(cursor)
            day_end = self.end_of_day(day)
            if self.is_working_day(day):
                available = (day_end - cursor).total_seconds()
                if remaining <= available:
                    return cursor + dt.timedelta(seconds=remaining)
                remaining -= available
            cursor = day_end
        raise ValueError("no working day within the search window; check the calendar configuration")

    def _subtract_working_seconds(self, end: dt.datetime, seconds: float) -> dt.datetime:
        cursor, remaining = end, seconds
        for _ in range(int(seconds // DAY) * 7 + 800):
            day = self.local_date(cursor - dt.timedelta(microseconds=1))
            day_start = self.start_of_day(day)
            if self.is_working_day(day):
                available = (cursor - day_start).total_seconds()
                if remaining <= available:
                    return cursor - dt.timedelta(seconds=remaining)
                remaining -= available
            cursor = day_start
        raise ValueError("no working day within the search window; check the calendar configuration")

    def working_days_ago(self, as_of: dt.datetime, n: float) -> dt.datetime:
        """The moment that lies `n` working days (of 24 working hours each, a day of 23 or 25 hours
        its own length) before `as_of`."""
        return self.add_working_seconds(as_of, -n * DAY)


@functools.cache
def holidays_version() -> str:
    """The installed holidays package's version, read once a process (reading package metadata
    costs about 10 ms, which a session's every command would otherwise pay)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("holidays")
    except PackageNotFoundError:  # pragma: no cover
        return "unknown"


class _YearStore:
    """Working days per year, kept in a small JSON file so that a short command (log, note) need
    not build the holiday tables each time. Keyed by country, subdivision and holidays' version;
    written atomically; any problem with the file just means computing afresh."""

    def __init__(self, folder: Path, policy: Policy):
        self.path = folder / f"calendar-{policy.country}-{policy.subdivision or 'all'}-{holidays_version()}.json"
        self._data: dict | None = None

    def _load(self) -> dict:
        if self._data is None:
            try:
                self._data = json.loads(self.path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                self._data = {}
            self._data.setdefault("years", {})
        return self._data

    def _save(self) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps(self._data), encoding="utf-8")
            os.replace(tmp, self.path)
        except OSError:
            pass  # a cache that cannot be written is only slower

    def is_working_day(self, day: dt.date, cal: "BusinessCalendar") -> bool:
        data = self._load()
        flags = data["years"].get(str(day.year))
        if flags is None:
            first = dt.date(day.year, 1, 1)
            n = (dt.date(day.year + 1, 1, 1) - first).days
            flags = "".join("1" if cal._holidays.is_working_day(first + dt.timedelta(days=i)) else "0" for i in range(n))
            data["years"][str(day.year)] = flags
            self._save()
        return flags[day.timetuple().tm_yday - 1] == "1"

    def official_through(self, cal: "BusinessCalendar") -> int | None:
        data = self._load()
        if "official_through" not in data:
            data["official_through"] = cal._official_through_now()
            self._save()
        return data["official_through"]


# Clocks -----------------------------------------------------------------------------------


def tier_working_days(tier: Tier, policy: Policy) -> int | None:
    return {Tier.GENERAL: policy.general_days, Tier.IMPORTANT: policy.important_days}.get(tier)


def internal_due(opened_at: dt.datetime, tier: Tier, cal: BusinessCalendar) -> dt.datetime:
    """General and important: end of the Nth working day after receipt; urgent: the plan deadline."""
    days = tier_working_days(tier, cal.policy)
    if days is None:
        return response_due(opened_at, cal.policy)
    return cal.end_of_day(cal.add_working_days(cal.local_date(opened_at), days))


def response_due(opened_at: dt.datetime, policy: Policy) -> dt.datetime:
    """Urgent cases: the initial plan is due a fixed number of clock hours after receipt."""
    return opened_at + dt.timedelta(hours=policy.urgent_response_hours)


EXTENSION_CEILING_DAYS = 60  # Order 2020 No. 3, art. 17: 15 days, to 30, by another 30 at most
EXTENSION_DAYS = (30, EXTENSION_CEILING_DAYS)
REVIEW_REQUEST_DAYS = 30  # the customer asks for a review within 30 days of receiving the decision
REVIEW_DAYS = 30  # the higher level decides within 30 days of the request


def period_last_day(start: dt.datetime, days: int, cal: BusinessCalendar) -> dt.date:
    """The last day of a period of `days` days from the event at `start` (Civil Code arts. 201, 203):
    the day of the event is not counted; a last day that is a statutory rest day moves to the next
    statutory working day (a local closure does not move it)."""
    return cal.next_working_day(cal.local_date(start) + dt.timedelta(days=days), statutory=True)


def period_end(start: dt.datetime, days: int, cal: BusinessCalendar) -> dt.datetime:
    """When a period of `days` days from `start` runs out: 24:00 of its last day (art. 203)."""
    return cal.end_of_day(period_last_day(start, days, cal))


def review_request_ends(told_at: dt.datetime, cal: BusinessCalendar) -> dt.datetime:
    """When the customer's window to ask for a review runs out: 30 days from being told of the
    decision, counted like every regulatory period (24:00 of the last day)."""
    return period_end(told_at, REVIEW_REQUEST_DAYS, cal)


def review_due(requested_at: dt.datetime, cal: BusinessCalendar) -> dt.datetime:
    """The review's own clock: 30 days from the request, counted like every regulatory period."""
    return period_end(requested_at, REVIEW_DAYS, cal)


def regulatory_period_days(extended_to: int, policy: Policy) -> int:
    """The days of the regulatory period in force: the ordinary period, or the total it was extended to."""
    return max(extended_to or 0, policy.regulatory_days)


def regulatory_due(
    received_at: dt.datetime, cal: BusinessCalendar, *, extended_to: int = 0, paused_seconds: float = 0
) -> dt.datetime:
    """The regulatory deadline: 15 days from receipt (or the total an extension set, at most 60),
    counted by the statutory calendar, plus the whole days of appraisal while the period was running."""
    return period_end(received_at, regulatory_period_days(extended_to, cal.policy) + appraisal_days(paused_seconds), cal)


def appraisal_days(paused_seconds: float) -> int:
    """The days an appraisal adds to the regulatory period (art. 17: its time is not counted): its
    whole days of 24 hours, the rest left counted, so that no appraisal adds more time than it took
    (an hour's appraisal adds none; 5 days and 2 hours add 5)."""
    return int(paused_seconds) // DAY if paused_seconds > 0 else 0


def followup_due(last_followup_at: dt.datetime, cal: BusinessCalendar) -> dt.datetime:
    """An urgent case needs a follow-up every working day: by the end of the next working day."""
    return cal.end_of_day(cal.add_working_days(cal.local_date(last_followup_at), 1))


def shift_for_pause(due: dt.datetime, paused_at: dt.datetime, resumed_at: dt.datetime,
                    cal: BusinessCalendar, *, wall_clock: bool = False) -> dt.datetime:
    """Move a deadline later by the time a pause covered (working time, or wall time for 24h clocks)."""
    if resumed_at <= paused_at:
        return due
    if wall_clock:
        return due + (resumed_at - paused_at)
    if due <= paused_at:
        # Already breached before the pause: the breach stands and the clock does not move.
        return due
    return cal.add_working_seconds(due, cal.working_seconds(paused_at, resumed_at))


def due_soon_cutoff(as_of: dt.datetime, cal: BusinessCalendar) -> dt.datetime:
    """Deadlines at or before this moment (and after as_of) count as due soon."""
    return cal.add_working_seconds(as_of, cal.policy.due_soon_working_days * DAY)


@dataclass(frozen=True)
class Span:
    """A signed amount of time for display: working days and hours, or clock hours."""

    seconds: float
    working: bool

    def text(self, lang: str = "en") -> str:
        s = abs(int(self.seconds))
        if self.working:
            days, hours = divmod(s // 3600, 24)
            minutes = (s % 3600) // 60
            if days:
                return t("span.working_days", lang, days=days, hours=hours)
            return t("span.hours", lang, hours=hours, minutes=minutes)
        hours, minutes = divmod(s // 60, 60)
        return t("span.hours", lang, hours=hours, minutes=minutes)

    @property
    def working_days(self) -> float:
        return round(self.seconds / DAY, 2)


def remaining(due: dt.datetime, as_of: dt.datetime, cal: BusinessCalendar, *, clock_hours: bool) -> Span:
    """Time from as_of to due (negative when overdue), in working time unless clock_hours."""
    if clock_hours:
        return Span((due - as_of).total_seconds(), working=False)
    return Span(cal.working_seconds(as_of, due), working=True)


# Explanations ----------------------------------------------------------------------------


@dataclass
class Explained:
    """The deadlines a case received at a moment would get, with the counting in words."""

    received_at: dt.datetime
    tier: Tier
    due_at: dt.datetime
    first_response_due_at: dt.datetime | None
    regulatory_due_at: dt.datetime
    steps: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)



def due_words(due: dt.datetime, cal: BusinessCalendar) -> str:
    """A deadline as the clocks show it: one that ends a day is 24:00 of that day, not 00:00 of the next."""
    local = cal.local(due)
    if local.time() == dt.time():
        return f"{local - dt.timedelta(days=1):%Y-%m-%d} 24:00"
    return f"{local:%Y-%m-%d %H:%M}"


def _s(key: str, lang: str, **kw) -> str:
    return t("step." + key if key != "provisional" else key, lang, **kw)


def _describe(day: dt.date, cal: BusinessCalendar, lang: str = "en") -> str:
    name = cal.holiday_text(day, lang)
    if cal.is_working_day(day):
        return _s("make-up" if cal.is_weekend(day) else "working day", lang)
    if name:
        return _s("holiday", lang, name=name)
    return _s("weekend", lang)


def explain(received_at: dt.datetime, tier: Tier, cal: BusinessCalendar, lang: str = "en", *,
            extended_to: int = 0, restart: bool = False, escalated_at: dt.datetime | None = None,
            reg_cal: BusinessCalendar | None = None) -> Explained:
    """Compute every clock for a case and say in words (English or Chinese) how each was counted;
    `extended_to` (30 or 60) extends the regulatory period; `restart`: they count from a reopening;
    `escalated_at`: an urgent plan's hours run from that escalation to urgent; `reg_cal`: the
    regulatory deadline's own rules, where they are not the internal one's (set on another day).
    Long because it says each day of the count, then each deadline, in order."""
    policy = cal.policy
    local = cal.local(received_at)
    receipt = local.date()
    since = t("since.restart" if restart else "since.receipt", lang)
    steps = [_s("restarted_at" if restart else "received", lang, day=format_day(receipt, lang), time=f"{local:%H:%M}",
                tz=policy.timezone)]
    days = tier_working_days(tier, policy)
    touched = {receipt.year}
    if days is None:
        due = first_response = response_due(escalated_at or received_at, policy)
        steps += _plan_steps(due, since, escalated_at, cal, lang)
    else:
        first_response = None
        day, count = receipt, 0
        while count < days:
            day += dt.timedelta(days=1)
            kind = _describe(day, cal, lang)
            touched.add(day.year)
            if cal.is_working_day(day):
                count += 1
                steps.append(_s("counted", lang, day=format_day(day, lang), kind=kind, n=count, of=days))
            else:
                steps.append(_s("skipped", lang, day=format_day(day, lang), kind=kind))
        due = cal.end_of_day(day)
        from .labels import choice_word

        steps.append(_s("internal", lang, tier=choice_word(tier.value, lang, Tier), n=days,
                        day=format_day(day, lang)))
    rcal = reg_cal or cal
    period = regulatory_period_days(extended_to, rcal.policy)
    if period != rcal.policy.regulatory_days:
        steps.append(_s("extended", lang, since=since, base=rcal.policy.regulatory_days, n=period))
    reg = regulatory_due(received_at, rcal, extended_to=extended_to)
    last = receipt + dt.timedelta(days=period)
    reg_day = rcal.local_date(reg - dt.timedelta(seconds=1))
    touched.update({last.year, reg_day.year})
    if reg_day == last:
        steps.append(_s("regulatory", lang, since=since, n=period, day=format_day(last, lang)))
        if not rcal.is_working_day(last):
            steps.append(_s("local_closure", lang, day=format_day(last, lang)))
    else:
        steps.append(_s("regulatory_moved", lang, since=since, n=period, last=format_day(last, lang),
                        kind=_describe(last, rcal, lang), day=format_day(reg_day, lang)))
    warnings = [_s("provisional", lang, year=y) for y in sorted(touched) if cal.is_provisional(y)]
    return Explained(received_at, tier, due, first_response, reg, steps, warnings)


def explain_period(start: dt.datetime, days: int, cal: BusinessCalendar, what: str, lang: str = "en") -> list[str]:
    """A period counted in days (a review, the reopen window), explained: from the day after `start`,
    its last day, and any move off a statutory rest day."""
    first = cal.local_date(start)
    last = first + dt.timedelta(days=days)
    end = period_last_day(start, days, cal)
    steps = [_s("period", lang, what=what, n=days, start=format_day(first, lang), last=format_day(last, lang))]
    if end != last:
        steps.append(_s("period_moved", lang, last=format_day(last, lang), kind=_describe(last, cal, lang),
                        day=format_day(end, lang)))
    else:
        steps.append(_s("period_end", lang, day=format_day(end, lang)))
    return steps


def explain_case(case, cycle_opened_at: dt.datetime, opened_by: str | None, cal: BusinessCalendar,
                 lang: str = "en", *, reg_cal: BusinessCalendar | None = None) -> list[str]:
    """How the deadlines of a case's current cycle were counted, day by day: the cycle's start (a
    reopen or new facts restart the clocks), an extension, appraisal time, or a review's own clock
    (`reg_cal`: the rules the regulatory deadline was set by, where they are not `cal`'s)."""
    from .domain import Status

    if case.review_requested_at is not None and case.status in (Status.UNDER_REVIEW, Status.REVIEWED):
        return explain_period(case.review_requested_at, REVIEW_DAYS, reg_cal or cal, t("what.review", lang), lang)
    steps = []
    if opened_by in ("reopen", "new_facts"):
        steps.append(_s("restarted", lang, why=t("opened_by." + opened_by, lang),
                        day=format_day(cal.local_date(cycle_opened_at), lang)))
    restart = opened_by in ("reopen", "new_facts")
    counted = explain(cycle_opened_at, Tier(case.tier), cal, lang, extended_to=case.regulatory_extension_days,
                      restart=restart, escalated_at=_escalated_at(case, cycle_opened_at, cal.policy), reg_cal=reg_cal)
    steps += counted.steps
    if case.paused_working_seconds and case.due_at is not None:
        # A pause moves a deadline that was still running when it began; one already passed stays.
        moved = case.due_at != counted.due_at
        steps.append(_s("paused" if moved else "paused_after", lang,
                        working=duration(case.paused_working_seconds, lang, working=True),
                        when=due_words(case.due_at, cal)))
    if case.regulatory_paused_seconds:
        steps.append(_s("appraisal", lang, n=appraisal_days(case.regulatory_paused_seconds)))
    return steps


def rules_then(changed_at: dt.datetime, cal: BusinessCalendar, lang: str = "en") -> str:
    """The step saying a case's deadlines are counted by the rules in force when they were set,
    which `config adopt` changed at `changed_at`."""
    return _s("rules_then", lang, day=format_day(cal.local_date(changed_at), lang))


def _plan_steps(due: dt.datetime, since: str, escalated_at: dt.datetime | None, cal: BusinessCalendar,
                lang: str) -> list[str]:
    """An urgent case's plan, due `due`: counted from `since` (receipt, a restart), or from its
    escalation to urgent; then the daily follow-up."""
    if escalated_at is not None:
        since = t("since.escalation", lang, at=f"{cal.local(escalated_at):%Y-%m-%d %H:%M}")
    hours = cal.policy.urgent_response_hours
    return [_s("urgent", lang, since=since, hours=hours, when=f"{cal.local(due):%Y-%m-%d %H:%M}"), _s("followup", lang)]


def _escalated_at(case, cycle_opened_at: dt.datetime, policy: Policy) -> dt.datetime | None:
    """When an urgent case's plan hours began, if not at its cycle's start: the escalation to urgent
    (its plan deadline, as the clocks table shows it, less the hours)."""
    due = getattr(case, "first_response_due_at", None)
    if case.tier != Tier.URGENT or due is None or due == response_due(cycle_opened_at, policy):
        return None
    return due - dt.timedelta(hours=policy.urgent_response_hours)


def provisional_warnings(cal: BusinessCalendar, *moments: dt.datetime | None, lang: str = "en") -> list[str]:
    """Warnings, in `lang`, for each provisional year that any of the given deadlines falls in."""
    return [t("provisional", lang, year=y) for y in provisional_years(cal, *moments)]


def provisional_years(cal: BusinessCalendar, *moments: dt.datetime | None) -> list[int]:
    """The provisional years (no official holiday schedule yet) the given deadlines fall in."""
    years = sorted({cal.local_date(m - dt.timedelta(microseconds=1)).year for m in moments if m is not None})
    return [y for y in years if cal.is_provisional(y)]