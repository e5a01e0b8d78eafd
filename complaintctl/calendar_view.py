"""What `calendar show` and `calendar due` report: pure calendar work, no database."""
from __future__ import annotations

import datetime as dt
from typing import Any

from . import deadlines, labels
from . import domain as d
from .config import Policy
from .deadlines import BusinessCalendar
from .context import read_time
from .errors import InvalidValue


def year_exceptions(policy: Policy, year: int, lang: str = "en") -> dict[str, Any]:
    """Weekdays that are not working days, and weekend days that are (make-up days), for one year."""
    cal = BusinessCalendar(policy, language=labels.calendar_locale(lang))
    days = []
    day = dt.date(year, 1, 1)
    while day.year == year:
        working = cal.is_working_day(day)
        weekend = cal.is_weekend(day)
        if working == weekend:
            wd = labels.weekday_names(lang)[day.weekday()]
            kind = labels.t("makeup_workday" if working else "non_working_weekday", lang)
            days.append({"date": day.isoformat(), "weekday": wd, "kind": kind,
                         "holiday": cal.holiday_text(day, lang) or ""})
        day += dt.timedelta(days=1)
    warnings = [labels.t("provisional", lang, year=year)] if cal.is_provisional(year) else []
    return {"year": year, "calendar": cal.name, "days": days, "warnings": warnings}


def due(policy: Policy, tier: str, received_at: str, lang: str = "en", *, extended_to: int | None = None,
        restarted_at: str | None = None, told_at: str | None = None, review_requested_at: str | None = None
        ) -> dict[str, Any]:
    """The deadlines of a hypothetical case, explained step by step (the time may be in the future).
    `extended_to` counts the regulatory period as extended to 30 or 60 days; `restarted_at` restarts
    every clock there (new facts, or a reopen); `told_at` (the customer told of the decision) gives
    the last day to ask for a review; `review_requested_at` the review's own 30 days."""
    t = labels.parse(d.Tier, tier, "--tier")
    if extended_to is not None and extended_to not in deadlines.EXTENSION_DAYS:
        raise InvalidValue("--extended-to", extended_to, "acc.extended_to")
    cal = BusinessCalendar(policy, language=labels.calendar_locale(lang))
    moment = read_time(received_at, cal.tz, "--received-at")
    times = {}
    for name, value in (("--restarted-at", restarted_at), ("--told-at", told_at),
                        ("--review-requested-at", review_requested_at)):
        if value is not None:
            times[name] = read_time(value, cal.tz, name)
            if times[name] < moment:
                raise InvalidValue(name, value, "acc.after_received_at", at=received_at)
    steps: list[str] = []
    start = times.get("--restarted-at", moment)
    if "--restarted-at" in times:
        steps.append(labels.t("step.restarted", lang, why=labels.t("opened_by.new_facts", lang),
                              day=deadlines.format_day(cal.local_date(start), lang)))
    ex = deadlines.explain(start, t, cal, lang, extended_to=extended_to or 0)
    steps += ex.steps
    show = lambda m: None if m is None else m.astimezone(cal.tz).isoformat(timespec="seconds")  # noqa: E731
    out = {"tier": t.value, "received_at": show(moment), "due_at": show(ex.due_at),
           "first_response_due_at": show(ex.first_response_due_at), "regulatory_due_at": show(ex.regulatory_due_at),
           "review_request_ends_at": None, "review_due_at": None, "steps": steps, "warnings": ex.warnings}
    if "--told-at" in times:
        steps += deadlines.explain_period(times["--told-at"], deadlines.REVIEW_REQUEST_DAYS, cal,
                                          labels.t("what.review_request", lang), lang)
        out["review_request_ends_at"] = show(deadlines.review_request_ends(times["--told-at"], cal))
    if "--review-requested-at" in times:
        steps += deadlines.explain_period(times["--review-requested-at"], deadlines.REVIEW_DAYS, cal,
                                          labels.t("what.review", lang), lang)
        out["review_due_at"] = show(deadlines.review_due(times["--review-requested-at"], cal))
    return out
