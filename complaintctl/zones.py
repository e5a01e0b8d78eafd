"""The business zone's UTC offsets as periods, so that SQL on SQLite shows a stored (UTC) time in
the business zone as Python does (`stored.time_text`: ISO 8601 to the second, with the offset).

SQLite knows no time zones: `zone_offsets` holds, for the years the business calendar's table
covers (complaintctl/business_days.py writes both, from the same config), one row per period of a
constant offset: the stored (UTC) moment it starts, the offset in seconds and its ISO suffix as
Python's isoformat writes it. A stored time finds its period by an index seek (the last period
starting at or before it), exact across daylight-saving changes. PostgreSQL knows the zones
itself (AT TIME ZONE: db.py's ZoneText).

Without SQLAlchemy: the lean `report overdue` checks here that the tables cover its moment.
"""
from __future__ import annotations

import datetime as dt
import hashlib

from .stored import offset_suffix as suffix

UTC = dt.timezone.utc
YEARS_AHEAD = 2  # beyond the present year: a 60-day period, a review's 30 days, a report --as-of


def settings_identity(policy) -> str:
    """What the business calendar's rows depend on in the config: zone, country and subdivision,
    local closures and extra working days (cheap: no holidays package needed)."""
    extra = ",".join(sorted(d.isoformat() for d in policy.extra_holidays)) + "|" + ",".join(
        sorted(d.isoformat() for d in policy.extra_workdays))
    digest = hashlib.sha256(extra.encode()).hexdigest()[:16]
    # "names native": the holidays' names are the country's own, whatever the locale (deadlines.
    # BusinessCalendar._holidays); a table written before that, named after its writer's LANG, is
    # not this calendar's, and the next command writes it again.
    return f"{policy.timezone} {policy.country}-{policy.subdivision or ''} days {digest} names native"


def years_wanted(now: dt.datetime, earliest: dt.datetime | None = None) -> tuple[int, int]:
    """The years the tables must cover: from the first case received (or this year) to YEARS_AHEAD
    years beyond this one. Counted on UTC dates a day early, so that a moment near a year's end
    is covered in any zone (whole years are cheap: 365 rows)."""
    first = min(now.year, (earliest - dt.timedelta(days=1)).year if earliest is not None else now.year)
    return first, now.year + YEARS_AHEAD


def covers(kept: tuple[str, int, int] | None, policy, now: dt.datetime, earliest: dt.datetime | None) -> bool:
    """The tables (which calendar and years `business_calendar` says they hold) were written from
    this config's calendar, reach back to the first case received and on to next year."""
    if kept is None or not kept[0].startswith(settings_identity(policy) + " "):
        return False
    first, last = years_wanted(now, earliest)
    return kept[1] <= first and kept[2] >= last - YEARS_AHEAD + 1


def periods(tz, first_year: int, last_year: int) -> list[dict]:
    """The zone's periods of one offset from a little before `first_year` to a little after
    `last_year` (UTC): starts_at (aware UTC), offset_seconds, suffix. A change of offset is found
    to the second (offsets six hours apart compared, then the interval halved); the scan goes on
    from the change it found, so two changes within six hours are both found, each at its second
    (a change undone within six hours would be missed; no zone in tzdata 2025b has two changes
    within six hours at all, checked over every zone's transitions)."""
    start = dt.datetime(first_year, 1, 1, tzinfo=UTC) - dt.timedelta(days=2)
    stop = dt.datetime(last_year + 1, 1, 1, tzinfo=UTC) + dt.timedelta(days=2)
    off = lambda moment: moment.astimezone(tz).utcoffset()  # noqa: E731
    out, at, now = [], start, off(start)
    out.append(dict(starts_at=start, offset_seconds=int(now.total_seconds()), suffix=suffix(now)))
    step = dt.timedelta(hours=6)  # no zone changes its offset twice within six hours
    while at < stop:
        later = at + step
        if off(later) != now:
            low, high = at, later  # off(low) == now != off(high): the change is in (low, high]
            while high - low > dt.timedelta(seconds=1):
                mid = low + (high - low) / 2
                mid = mid.replace(microsecond=0)
                if off(mid) == now:
                    low = mid
                else:
                    high = mid
            now = off(high)
            out.append(dict(starts_at=high, offset_seconds=int(now.total_seconds()), suffix=suffix(now)))
            later = high  # look again from here: another change may follow within six hours
        at = later
    return out
