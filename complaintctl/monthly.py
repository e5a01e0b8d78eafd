"""The monthly management report: its figures (one dict, the same as the JSON and CSV reports give)
and the self-contained HTML page with inline SVG charts (pygal) made from them (Jinja2)."""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any, Iterable

from . import domain as d
from . import labels, return_figures
from .context import Context, show_time
from .rows import AGE_BUCKETS, bucket_name

TREND_MONTHS = 12
TREND_FIELDS = ("product", "channel")  # the trends' charts, by each of these
# The month's reviews: those asked for in it and how they stand (as the return counts them), then
# those asked for earlier and decided in it (the return's other decisions), which would otherwise
# appear in no month's page.
REVIEW_MEASURES = ("reviews_requested", "reviews_upheld", "reviews_changed", "reviews_pending",
                   "other_reviews_upheld", "other_reviews_changed")
TEMPLATES = Path(__file__).parent / "templates"


def _month_bounds(ctx: Context, year: int, month: int, back: int = 0) -> tuple[dt.date, dt.date]:
    first = return_figures.month_start(year, month - back)
    return first, return_figures.month_start(first.year, first.month + 1)


def trend_counts(rows, fields: tuple[str, ...]) -> dict[str, dict[str, list[int]]]:
    """Complaints received in each of the 12 months, per value of each field, from the rows of
    reports.trends_select (the fields' values, the month's number, the count), largest first."""
    out: dict[str, dict[str, list[int]]] = {f: {} for f in fields}
    for row in rows:
        m, n = int(row[-2]), row[-1]
        for i, f in enumerate(fields):
            out[f].setdefault(row[i], [0] * TREND_MONTHS)[m] += n
    return {f: dict(sorted(v.items(), key=lambda kv: -sum(kv[1]))) for f, v in out.items()}


class Source:
    """Where the monthly report's figures are read: this one, the full way's, through a unit of work
    and the library's reports (the lean report, cli/lean.py, has its own over the compiled text,
    with the same methods); entered once, so that every figure is read in one transaction."""

    def __init__(self, uow, ctx: Context):
        self.uow, self.ctx = uow, ctx

    def __enter__(self):
        self.uow.__enter__()
        return self

    def __exit__(self, *exc):
        return self.uow.__exit__(*exc)

    def trends(self, fields: tuple[str, ...], lo: dt.datetime, hi: dt.datetime, edges: list) -> Iterable:
        from . import reports

        return self.uow.session.execute(reports.trends_select(fields, lo, hi, edges))

    def summary(self, start: str, end: str, by: str, previous_from: dt.datetime) -> dict[str, Any]:
        from . import reports

        return reports.summary(self.uow, self.ctx, start=start, end=end, by=by, previous_from=previous_from)

    def sla(self, start: str, end: str, by: tuple[str, ...]) -> list[dict[str, Any]]:
        from . import reports

        return reports.sla_by(self.uow, self.ctx, start=start, end=end, by=by)

    def aging(self, as_of: dt.datetime) -> list[dict[str, Any]]:
        from . import reports

        return reports.aging(self.uow, self.ctx, as_of=as_of)

    def handling(self, lo: dt.datetime, hi: dt.datetime) -> list[dict[str, Any]]:
        from . import regulatory

        return regulatory.handling_by_branch(self.uow, self.ctx, lo, hi)

    def actions(self, as_of: dt.datetime, **which) -> list[dict[str, Any]]:
        from . import remediation

        return list(remediation.actions(self.uow, self.ctx, as_of=as_of, **which))


def figures(source, ctx: Context, *, month: str) -> dict[str, Any]:
    """Every figure of the monthly report for `month` (YYYY-MM), as of the end of that month, read
    from `source` (a Source, or the lean report's own)."""
    year, mon = return_figures.parse_month(month)
    first, after = _month_bounds(ctx, year, mon)
    prev_first, _ = _month_bounds(ctx, year, mon, back=1)
    cal = ctx.calendar
    lo, hi = cal.start_of_day(first), cal.start_of_day(after)
    end = hi - dt.timedelta(microseconds=1)
    last_day = (after - dt.timedelta(days=1)).isoformat()
    as_of = min(hi, ctx.now)
    starts = [return_figures.month_start(year, mon - k) for k in range(TREND_MONTHS - 1, -1, -1)]
    months = [s.strftime("%Y-%m") for s in starts]
    fields = TREND_FIELDS
    with source:
        both = trend_counts(source.trends(fields, cal.start_of_day(starts[0]), hi,
                                          [cal.start_of_day(s) for s in starts[1:]]), fields)
        by_product, by_channel = both["product"], both["channel"]
        # Against the previous calendar month (not the window of the same length before: February
        # against 29 January - 28 February would not be "the previous month" the board reads).
        summary = source.summary(start=first.isoformat(), end=last_day, by="category",
                                 previous_from=cal.start_of_day(prev_first))
        sla_tier, sla_branch = source.sla(start=first.isoformat(), end=last_day, by=("tier", "branch"))
        aging = source.aging(as_of)
        handling = source.handling(lo, hi)
        # The actions as they stood at the month's end (its last moment: an action due on its last
        # day is not late within it), or now in a month still running.
        at_end = min(end, ctx.now)
        due = source.actions(at_end, due_from=first, due_before=after)
        late = source.actions(at_end, overdue=True)
    total = next((r for r in handling if r["branch"] == return_figures.TOTAL), {})
    reasons = [{"category": r["category"], "received": r["received"], "previous": r["previous"],
                "change": r["change"], "change_pct": r["change_pct"]}
               for r in sorted(summary["rows"], key=lambda r: (-r["received"], r["category"]))
               if r["received"] or r["previous"]]  # a reason with only repeats of older complaints is not ranked
    return {
        "month": f"{year}-{mon:02d}", "from": show_time(lo, ctx), "to": show_time(end, ctx),
        "previous_month": prev_first.strftime("%Y-%m"), "as_of": show_time(as_of, ctx),
        "received": total.get("received", 0),
        "received_previous": sum(r["previous"] for r in summary["rows"]),
        "trend": {"months": months, "product": by_product, "channel": by_channel},
        "top_reasons": reasons,
        "compliance_by_tier": sla_tier["rows"], "compliance_by_branch": sla_branch["rows"],
        "open_breached": sla_tier["open_breached"],
        "aging": aging,
        "reviews": [{"branch": r["branch"], **{k: r[k] for k in REVIEW_MEASURES}} for r in handling],
        "repeat_complainants": summary["repeat_complainants"],
        "actions_due": due, "actions_late": late,
    }


# The page -------------------------------------------------------------------------------------

FONT = "'Noto Sans CJK SC', 'Noto Sans CJK', 'Source Han Sans SC', 'PingFang SC', 'Microsoft YaHei', sans-serif"


def _style():
    from pygal.style import Style

    return Style(font_family=FONT, background="white", plot_background="white", foreground="#333",
                 foreground_strong="#111", foreground_subtle="#777", title_font_size=16, label_font_size=11,
                 major_label_font_size=11, legend_font_size=11, value_font_size=10,
                 colors=("#1f5fa8", "#d9822b", "#2e8b57", "#b03a48", "#7b5ea7", "#5f9ea0", "#a0522d", "#708090",
                         "#c71585", "#556b2f"))


def _chart(kind: str, title: str, lang: str, counts: list[float] | None = None, **options):
    """A chart in the report's style, saying so in `lang` when it has nothing to draw; `counts`: the
    heights of a chart of whole cases, whose axis then counts in whole numbers (no "0.5 cases")."""
    import pygal

    top = max([0, *(counts or [])])
    if top:  # (a chart with nothing to draw takes no axis labels: pygal fails on them)
        step = max(1, -(-int(top) // 8))  # about eight whole-number ticks at most
        options["y_labels"] = list(range(0, int(top) + step + 1, step))
    chart = getattr(pygal, kind)(title=title, style=_style(), width=760, height=360, explicit_size=True,
                                 js=[], disable_xml_declaration=True, legend_at_bottom=True,
                                 legend_at_bottom_columns=4, print_values=False,
                                 no_data_text=labels.t("chart.no_data", lang), **options)
    return chart


_SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>|<!--.*?-->", re.DOTALL)
# pygal names each legend entry `activate-serie-N` for its script, the same in every chart: with
# the script gone they serve nothing, and a page's ids must be its own once.
_LEGEND_ID = re.compile(r' id="activate-serie-\d+"')


def _svg(chart, counts: bool = True) -> str:
    """The chart's SVG without pygal's tooltip configuration script and credits: the page needs
    no JavaScript (nothing is loaded from anywhere) and reads the same with scripts turned off.
    Empty for a chart with nothing to draw (the page says so in a line, not an empty grid): a chart
    of `counts` with none above 0, one of percentages with none at all (0% is a figure to draw)."""
    values = [v for serie in chart.raw_series for v in serie[0] if v is not None]
    if not (any(values) if counts else values):
        return ""
    return _LEGEND_ID.sub("", _SCRIPT.sub("", chart.render(is_unicode=True)))


def charts(data: dict[str, Any], lang: str) -> list[dict[str, str]]:
    """The report's charts: each a title and an inline SVG."""
    out = []
    months = data["trend"]["months"]
    for field, enum, key in (("product", d.Product, "chart.trend_product"), ("channel", d.Channel, "chart.trend_channel")):
        title = labels.t(key, lang)
        totals = [sum(month) for month in zip(*data["trend"][field].values())]
        chart = _chart("StackedBar", title, lang, counts=totals, x_label_rotation=30)
        chart.x_labels = months  # 2025-11, as every month is written (25/11 read as the 25th of November)
        for value, series in data["trend"][field].items():
            chart.add(labels.label(value, lang, enum), series)
        out.append({"id": f"trend-{field}", "title": title, "svg": _svg(chart)})
    title = labels.t("chart.reasons", lang)
    top = data["top_reasons"][::-1]  # as many as the table under it lists
    chart = _chart("HorizontalBar", title, lang, counts=[n for r in top for n in (r["received"], r["previous"])])
    chart.x_labels = [labels.label(r["category"], lang, d.Category) for r in top]
    chart.add(data["month"], [r["received"] for r in top])
    chart.add(data["previous_month"], [r["previous"] for r in top])
    out.append({"id": "reasons-chart", "title": title, "svg": _svg(chart)})  # (the section is "reasons")
    for rows, dim, enum, key in ((data["compliance_by_tier"], "tier", d.Tier, "chart.compliance_tier"),
                                 (data["compliance_by_branch"], "branch", None, "chart.compliance_branch")):
        title = labels.t(key, lang)
        chart = _chart("Bar", title, lang, range=(0, 100))
        chart.x_labels = [labels.t("total", lang) if r[dim] == "TOTAL" else
                          (labels.label(r[dim], lang, enum) if enum else r[dim]) for r in rows]
        chart.add(labels.t("within_internal_pct", lang), [r["within_internal_pct"] for r in rows])
        chart.add(labels.t("within_regulatory_pct", lang), [r["within_regulatory_pct"] for r in rows])
        out.append({"id": f"compliance-{dim}", "title": title, "svg": _svg(chart, counts=False)})
    title = labels.t("chart.aging", lang)
    buckets = [bucket_name(a, b) for a, b in AGE_BUCKETS]
    chart = _chart("StackedBar", title, lang, counts=[sum(row[b] for row in data["aging"] if row["tier"] != "TOTAL")
                                                      for b in buckets])
    chart.x_labels = buckets
    for row in data["aging"]:
        if row["tier"] != "TOTAL":
            chart.add(labels.label(row["tier"], lang, d.Tier), [row[b] for b in buckets])
    out.append({"id": "aging-chart", "title": title, "svg": _svg(chart)})
    return out


def render_html(data: dict[str, Any], lang: str, *, bank: str = "") -> str:
    """The whole report as one self-contained HTML page (no script, no external resource)."""
    import jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True,
                             undefined=jinja2.StrictUndefined)

    def t(key: str, **kw) -> str:
        return labels.t(key, lang, **kw)

    def lab(value, enum_name: str) -> str:
        return labels.label(value, lang, getattr(d, enum_name))

    def pct(value) -> str:
        return "" if value is None else f"{value:.1f}%"

    return env.get_template("monthly.html.j2").render(
        data=data, charts=charts(data, lang), t=t, lab=lab, pct=pct, lang=lang, bank=bank,
        buckets=[bucket_name(a, b) for a, b in AGE_BUCKETS], review_measures=REVIEW_MEASURES)
