"""Staff, database care, the calendar, configuration, choices, demo data and first-run set-up."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from complaintctl import domain as d
from complaintctl import labels

from . import render
from .options import DOCUMENT_FORMAT, DOCUMENT_JSON, FORMAT, OUTPUT, RESULT_JSON, document_format, given_path
from .render import Column
from .state import state

staff_app = typer.Typer(help="Register and list the staff who handle complaints.", no_args_is_help=True)
db_app = typer.Typer(help="Database information, migrations, checks, backups and retention.", no_args_is_help=True)
calendar_app = typer.Typer(help="The business calendar and the deadlines it gives.", no_args_is_help=True)
config_app = typer.Typer(help="The effective configuration.", no_args_is_help=True)
masking_app = typer.Typer(help="The masking policy of personal data, kept in the database.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(staff_app, name="staff")
    app.add_typer(db_app, name="db")
    app.add_typer(calendar_app, name="calendar")
    app.add_typer(config_app, name="config")
    app.add_typer(masking_app, name="masking")
    app.command("choices")(choices)
    app.command("demo")(demo)
    app.command("init")(init)


# Staff ----------------------------------------------------------------------------------------


@staff_app.command("add")
def staff_add(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="The name used with --to, --as and in the audit trail."),
    role: str = typer.Option(..., "--role", help="staff (general cases), manager (important), executive (urgent), "
                                                 "admin (staff, logins, policy), system (cron: reports, escalate --overdue)."),
    branch: Optional[str] = typer.Option(None, "--branch", help="Their branch (default: the configured branch); '-': "
                                                             "none, staff of the higher institution (a regional or head "
                                                             "office, who may review a branch's decisions). A manager "
                                                             "reveals personal data of their own branch's cases only."),
    department: Optional[str] = typer.Option(None, "--department", help="Their department (shown with their cases)."),
    login: Optional[str] = typer.Option(None, "--login", help="The account they run the tool as (OS account; PostgreSQL login)."),
    json_out: bool = RESULT_JSON,
) -> None:
    """Register a member of staff, their role and the login they run the tool as (administrators only).

    Example: complaintctl staff add zhangwei --role manager --branch BJ001 --login zhangwei
    """
    st = state(ctx)
    from complaintctl import services

    person = services.staff_add(st.uow(), st.context(), name=name, role=role,
                                branch=branch,
                                department=department, login=login)
    if json_out:
        render.print_json(person)
    else:
        typer.echo(labels.t("done.staff_added", st.language, name=person["name"],
                            role=labels.choice_word(person["role"], st.language, d.Role)))


@staff_app.command("deactivate")
def staff_deactivate(ctx: typer.Context, name: str = typer.Argument(..., help="Registered staff name."),
                     json_out: bool = RESULT_JSON) -> None:
    """Stop assigning cases to someone who has left or moved; their history stays.

    Example: complaintctl staff deactivate liqiang
    """
    _staff_switched(ctx, name, json_out, active=False)


@staff_app.command("reactivate")
def staff_reactivate(ctx: typer.Context, name: str = typer.Argument(..., help="Registered staff name."),
                     json_out: bool = RESULT_JSON) -> None:
    """Undo a deactivation (administrators only; recorded); cases reassigned meanwhile stay reassigned.

    Example: complaintctl staff reactivate liqiang
    """
    _staff_switched(ctx, name, json_out, active=True)


def _staff_switched(ctx: typer.Context, name: str, json_out: bool, *, active: bool) -> None:
    """staff deactivate and reactivate: the change, then what it leaves with the open cases still
    assigned to them (a warning when deactivated, a note when back)."""
    st = state(ctx)
    from complaintctl import services

    switch = services.staff_reactivate if active else services.staff_deactivate
    person = switch(st.uow(), st.context(), name=name)
    if json_out:
        render.print_json(person)
        return
    typer.echo(labels.t("done.staff_reactivated" if active else "done.staff_deactivated", st.language,
                        name=person["name"]))
    if person["open_cases"]:
        text = labels.t("note.assigned_again" if active else "warn.still_assigned", st.language,
                        n=person["open_cases"], name=person["name"])
        if active:
            render.message(text)
        else:
            render.warn(text, st.language)


@staff_app.command("role")
def staff_role(ctx: typer.Context, name: str = typer.Argument(..., help="Registered staff name."),
               role: str = typer.Argument(..., help="staff, manager, executive, admin or system."),
               json_out: bool = RESULT_JSON) -> None:
    """Change someone's role (administrators only; recorded).

    Example: complaintctl staff role wangfang manager
    """
    st = state(ctx)
    from complaintctl import services

    person = services.staff_change(st.uow(), st.context(), name=name, role=role)
    if json_out:
        render.print_json(person)
    else:
        typer.echo(labels.t("done.staff_role" if person["changed"] else "done.staff_role_same", st.language,
                            name=person["name"], role=labels.choice_word(person["role"], st.language, d.Role)))


@staff_app.command("login")
def staff_login(ctx: typer.Context, name: str = typer.Argument(..., help="Registered staff name."),
                login: str = typer.Argument(..., help="The OS account or PostgreSQL login they run the tool as."),
                json_out: bool = RESULT_JSON) -> None:
    """Map a staff member to the login they run the tool as (administrators only; recorded).

    Example: complaintctl staff login wangfang wangfang
    """
    st = state(ctx)
    from complaintctl import services

    person = services.staff_change(st.uow(), st.context(), name=name, login=login)
    if json_out:
        render.print_json(person)
    else:
        typer.echo(labels.t("done.staff_login", st.language, name=person["name"], login=person["login"]))


@staff_app.command("list")
def staff_list(ctx: typer.Context, fmt: str = FORMAT, output: Optional[Path] = OUTPUT) -> None:
    """List registered staff, most senior first.

    Example: complaintctl staff list --format csv
    """
    st = state(ctx)
    from complaintctl import services

    rows = services.staff_list(st.uow(write=False), st.context())
    cols = [Column("name"), Column("role", enum=d.Role), Column("login"), Column("branch"), Column("department"),
            Column("active", kind="bool", display=lambda row, lang: labels.t("yes" if row["active"] else "no", lang)), Column("created_at", kind="time", header=labels.t("staff.added", st.language))]
    render.emit(rows, cols, fmt=fmt, output=output, lang=st.language, title=labels.t("title.staff", st.language),
                limit=None, empty="No staff registered yet: complaintctl staff add NAME --role staff")


# Masking policy -------------------------------------------------------------------------------


@masking_app.command("show")
def masking_show(ctx: typer.Context) -> None:
    """Print whether personal data is masked in every output (on unless an administrator turned it off).

    Example: complaintctl masking show
    """
    st = state(ctx)
    typer.echo("on" if st.context().masking else "off")


def _set_masking(ctx: typer.Context, on: bool, reason: str, json_out: bool) -> None:
    st = state(ctx)
    from complaintctl import services

    result = services.set_masking(st.uow(), st.context(), on=on, reason=reason)
    if json_out:
        render.print_json(result)
    else:
        typer.echo(labels.t("done.masking" if result["changed"] else "done.masking_unchanged", st.language,
                            state=labels.t(f"masking.{result['masking']}", st.language)))


@masking_app.command("on")
def masking_on(ctx: typer.Context, reason: str = typer.Option(..., "--reason", help="Why (recorded)."),
               json_out: bool = RESULT_JSON) -> None:
    """Mask personal data in every output and export (administrators only; recorded).

    Example: complaintctl masking on --reason "test period over"
    """
    _set_masking(ctx, True, reason, json_out)


@masking_app.command("off")
def masking_off(ctx: typer.Context, reason: str = typer.Option(..., "--reason", help="Why (recorded)."),
                json_out: bool = RESULT_JSON) -> None:
    """Show personal data unmasked to everyone (administrators only; recorded; think twice).

    Example: complaintctl masking off --reason "internal test database without real customers"
    """
    _set_masking(ctx, False, reason, json_out)


# Database -------------------------------------------------------------------------------------


@db_app.command("info")
def db_info(ctx: typer.Context, json_out: bool = RESULT_JSON) -> None:
    """Print the database URL, schema revision and row counts.

    Example: complaintctl db info
    """
    st = state(ctx)
    from complaintctl import maintenance

    store = st.store()
    data = maintenance.info(store, store.unit_of_work(write=False), st.context())
    if json_out:
        render.print_json(data)
        return
    lang = st.language
    pairs = [(labels.t(f"info.{k}", lang), data[k]) for k in ("url", "backend", "revision")]
    pairs += [(labels.t(f"info.{k}", lang), v) for k, v in data["counts"].items()]
    render.print_record(pairs + [(labels.t("info.open_cases", lang), data["open_cases"])])


@db_app.command("upgrade")
def db_upgrade(ctx: typer.Context) -> None:
    """Bring the database schema to the current revision (also done automatically on first use).

    Example: complaintctl --db /srv/complaints.db db upgrade
    """
    st = state(ctx)
    store = st.store(migrate=False, create=True)
    before = store.current_revision()
    applied = store.ensure_schema(st.os_login, st.now, st.policy)
    if applied and before is None:
        render.message(labels.t("note.db_created", st.language, where=store.display_url))
    mapped = None if applied else store.ensure_administrator(st.os_login, st.now)
    from complaintctl import maintenance

    st.context()  # the operator must be mapped staff, like every command's
    repaired = [] if applied else maintenance.repair(store, st.context().calendar)
    typer.echo(labels.t("done.upgraded", st.language, rev=applied) if applied else
               labels.t("done.at_revision", st.language, rev=store.current_revision()))
    for problem in repaired:
        render.message(labels.t("done.repaired", st.language, what=problem.split(":", 1)[0]))
    if mapped:
        render.message(labels.t("done.admin_mapped", st.language, login=mapped))


@db_app.command("check")
def db_check(
    ctx: typer.Context,
    anchors: Optional[Path] = typer.Option(None, "--anchors", parser=given_path("--anchors"), metavar="FILE",
                                           help="A file of lines from 'db anchor': each must still match the chain."),
) -> None:
    """Check integrity, foreign keys, each case's state against its events, the audit hash chain and anchors.

    Example: complaintctl db check --anchors /mnt/worm/anchors.txt || mail -s "complaint register check failed" audit@bank
    """
    st = state(ctx)
    from complaintctl import maintenance

    store = st.store()
    problems = maintenance.check(store, store.unit_of_work(write=False), st.context(), anchors=anchors, lang=st.language)
    if problems:
        for p in problems:
            typer.echo(p)
        from complaintctl.errors import CheckFailed

        raise CheckFailed(len(problems), anchors_file_only=problems.unreadable == len(problems))
    typer.echo(labels.t("done.check_ok", st.language))
    if anchors is not None:
        typer.echo(labels.t("anchor.ok", st.language, n=problems.anchors))  # (the file as check read it)


@db_app.command("anchor")
def db_anchor(
    ctx: typer.Context,
    file: Optional[Path] = typer.Argument(None, parser=given_path("FILE"), help="Also append the line to this file (created 0600 if missing)."),
    json_out: bool = RESULT_JSON,
) -> None:
    """Print the audit chain's head (event count, last id, its hash, the time) as one line to keep elsewhere.

    Mail it daily to someone outside the branch, or append it to write-once storage; 'db check
    --anchors FILE' later proves the chain was neither cut back nor rewritten before each anchor.

    Example: complaintctl db anchor /mnt/worm/anchors.txt | mail -s "complaint register anchor" audit@bank
    """
    st = state(ctx)
    from complaintctl import maintenance

    made = maintenance.anchor(st.uow(write=False), st.context(), append_to=file)
    if json_out:
        render.print_json({"events": made.events, "last_id": made.last_id, "hash": made.hash, "at": made.at,
                           "line": made.line, "file": str(file) if file else None})
    else:
        typer.echo(made.line)
    if file is not None:
        render.message(labels.t("anchor.appended", st.language, file=str(file)))


@db_app.command("backup")
def db_backup(ctx: typer.Context, file: Path = typer.Argument(..., parser=given_path("FILE"), help="New file to write the copy to.")) -> None:
    """Take a consistent copy of the SQLite database, safe while others are writing.

    Example: complaintctl db backup /backup/complaints-$(date +%F).db
    """
    st = state(ctx)
    from complaintctl import maintenance

    result = maintenance.backup(st.store(), file, st.context())
    typer.echo(labels.t("done.backup", st.language, file=result["file"], bytes=result["bytes"],
                        integrity=result["integrity"]))


@db_app.command("purge")
def db_purge(
    ctx: typer.Context,
    closed_before: str = typer.Option(..., "--closed-before", help="Anonymise cases closed, withdrawn or reviewed before this date (YYYY-MM-DD)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="List what would be anonymised (a reference a line); write nothing."),
    json_out: bool = RESULT_JSON,
) -> None:
    """Anonymise (not delete) the personal data of cases ended before a date (closed, withdrawn, reviewed), and record it.

    Example: complaintctl db purge --closed-before 2023-01-01
    """
    st = state(ctx)
    from complaintctl import maintenance

    result = maintenance.purge(st.uow(write=not dry_run), st.context(), closed_before=closed_before, dry_run=dry_run,
                               lang=st.language)
    if json_out:
        render.print_json(result)
    else:
        typer.echo(labels.t("done.would_purge" if dry_run else "done.purged", st.language, n=len(result["anonymised"]),
                            date=result["closed_before"]))
        if dry_run:  # which ones, a reference a line (what an auditor checks before the real run)
            for reference in result["anonymised"]:
                typer.echo(reference)
    for w in result["warnings"]:
        render.warn(w, st.language)


# Calendar -------------------------------------------------------------------------------------


@calendar_app.command("show")
def calendar_show(
    ctx: typer.Context,
    year: Optional[int] = typer.Option(None, "--year", min=1990, max=2100, help="Year to list (default: this year)."),
    fmt: str = FORMAT,
    output: Optional[Path] = OUTPUT,
) -> None:
    """List the year's non-working weekdays and working weekend days (make-up days).

    Example: complaintctl calendar show --year 2026
    """
    st = state(ctx)
    from complaintctl import calendar_view

    lang = st.language
    st.database_rules(preview=True)  # the database's calendar, with what the file sets over it
    result = calendar_view.year_exceptions(st.policy, year or st.now.year, lang)
    cols = [Column("date", kind="text"), Column("weekday"), Column("kind"), Column("holiday")]
    render.emit(result["days"], cols, fmt=fmt, output=output, lang=lang, limit=None,
                title=f'{labels.t("title.calendar", lang)} {result["year"]}' + labels.t("paren", lang, text=result["calendar"]))
    for w in result["warnings"]:
        render.warn(w, st.language)


@calendar_app.command("due")
def calendar_due(
    ctx: typer.Context,
    tier: str = typer.Option(..., "--tier", help="general, important or urgent."),
    received_at: str = typer.Option(..., "--received-at", help="When the complaint would be received (ISO 8601)."),
    extended_to: Optional[int] = typer.Option(None, "--extended-to", help="Count the regulatory period as extended to 30 or 60 days from receipt."),
    restarted_at: Optional[str] = typer.Option(None, "--restarted-at", help="New facts (or a reopen) restart every clock at this time."),
    told_at: Optional[str] = typer.Option(None, "--told-at", help="The customer told of the decision: the last day to ask for a review."),
    review_requested_at: Optional[str] = typer.Option(None, "--review-requested-at", help="A review asked for: its own 30 days."),
    fmt: str = DOCUMENT_FORMAT,
    json_out: bool = DOCUMENT_JSON,
) -> None:
    """Print the deadlines a case would get, and how each was counted.

    Example: complaintctl calendar due --tier general --received-at 2026-09-29T10:00
    Example: complaintctl calendar due --tier important --received-at 2026-09-29T10:00 --extended-to 60
    Example: complaintctl calendar due --tier general --received-at 2026-09-01T10:00 --told-at 2026-09-10T15:00 --review-requested-at 2026-09-28T09:00
    """
    st = state(ctx)
    from complaintctl import calendar_view

    st.database_rules(preview=True)
    result = calendar_view.due(st.policy, tier, received_at, st.language, extended_to=extended_to,
                               restarted_at=restarted_at, told_at=told_at, review_requested_at=review_requested_at)

    def table() -> None:
        for step in result["steps"]:
            typer.echo(step)
        typer.echo("")
        # Each deadline by its name in the output's language, as the clocks show it (24:00 of its day).
        render.print_record([(labels.t(key, st.language), render.cell_text(result[key], Column(key, kind="due"), st.language))
                             for key in ("due_at", "first_response_due_at", "regulatory_due_at", "review_request_ends_at",
                                         "review_due_at") if result[key]])

    render.emit_document(result, document_format(fmt, json_out), table=table)
    for w in result["warnings"]:
        render.warn(w, st.language)


# Config and choices ---------------------------------------------------------------------------


@config_app.command("show")
def config_show(ctx: typer.Context, fmt: str = FORMAT) -> None:
    """Print every effective setting and where its value came from.

    Example: complaintctl --config branch.toml config show
    """
    st = state(ctx)
    st.database_rules()
    cfg = st.config
    rows = [{"key": k, "value": ", ".join(map(str, v)) if isinstance(v, list) else v, "source": src}
            for k, v, src in cfg.items()]
    rows.append({"key": "database", "value": st.db_url, "source": st.database_named()[1]})
    lang, caption = st.language, None
    if fmt == "table":  # each source in words, the file named once under the table (a path cut in a cell says nothing)
        named = {"default": "source.default", "locale": "source.locale", "database": "source.database",
                 str(cfg.path): "source.file"}
        rows = [{**r, "source": labels.t(named[r["source"]], lang) if r["source"] in named else r["source"]}
                for r in rows]
        if cfg.path is not None:  # folded at the width: a long path stays whole, over several lines
            caption = "\n".join(render.fold_cells(labels.t("source.file_is", lang, path=str(cfg.path)),
                                                   render.table_width()))
    render.emit(rows, [Column("key", priority=0), Column("value"), Column("source", max_width=16)], fmt=fmt, lang=lang,
                limit=None, title=labels.t("title.config", lang), caption=caption)


@config_app.command("adopt")
def config_adopt(ctx: typer.Context, reason: str = typer.Option(..., "--reason", help="Why (recorded)."),
                 json_out: bool = RESULT_JSON) -> None:
    """Make the config's deadline rules this database's (administrators only; recorded).

    The rules: time zone, calendar, tier limits, the regulatory period, the reopen window. Cases
    already received keep their deadlines.

    Example: complaintctl --config branch.toml config adopt --reason "local closure on 2026-12-24"
    """
    st = state(ctx)
    st.rules_strict = False  # the file's rules may differ: they are what this command adopts
    from complaintctl import services

    from complaintctl.config import rules_given

    ctx_ = st.context()  # (the store opened: the file's own config kept apart from the rules in force)
    changed = services.adopt_rules(st.uow(), ctx_, rules=rules_given(st.file_config), reason=reason)
    if json_out:
        render.print_json({k: {"before": b, "after": a} for k, (b, a) in changed.items()})
    else:
        typer.echo(labels.t("done.rules_adopted", st.language, path=st.config.path or "defaults",
                            changes="; ".join(f"{k} {b} -> {a}" for k, (b, a) in changed.items())))


def choices(
    ctx: typer.Context,
    field: Optional[str] = typer.Argument(None, help="tier, status, channel, product, category, role, pause_reason, "
                                                     "notified_via, satisfaction; or codes (the JR/T 0169 table)."),
    fmt: str = FORMAT,
) -> None:
    """List the accepted values of each choice in English and Chinese, with their JR/T 0169-2018 codes.

    Example: complaintctl choices category
    """
    st = state(ctx)
    book = st.config.codes
    lang = st.language
    fields = list(labels.FIELDS)
    if field is not None:
        key = field.strip().lower().replace("-", "_")
        if key == "codes":
            cols = [Column("code"), Column("english"), Column("chinese"), Column("code_source"),
                    Column("used_by", header=labels.t("codes.used_by", lang))]
            rows = [{**r, "code_source": labels.t(f"code.{r['code_source']}", lang)} for r in book.rows()]
            render.emit(rows, cols, fmt=fmt, lang=lang, limit=None, title="JR/T 0169-2018")
            return
        if key not in labels.FIELDS:
            from complaintctl.errors import InvalidValue

            raise InvalidValue("FIELD", labels.typed_choice(field, [*fields, "codes"]), "acc.one_of",
                               choices=[*fields, "codes"])
        fields = [key]
    rows = []
    for f in fields:
        enum = labels.FIELDS[f]
        for key, (en, zh, aliases) in labels.CHOICES[enum].items():
            code = book.code(f, key)
            rows.append({"field": f, "key": key, "english": en, "chinese": " / ".join((zh, *[a for a in aliases if not a.isascii()])),
                         "jrt_code": code, "jrt_name": book.name(code, labels.ZH) if code else None})
    # What a person types is never cut: a table too narrow drops whole columns instead, the JR/T
    # codes first, then the label in the other language than the output's.
    first = dict(zip(labels.label_columns(lang), (1, 2)))
    cols = [Column("field", priority=0), Column("key", priority=0), Column("english", kind="plain", priority=first["english"]),
            Column("chinese", kind="plain", priority=first["chinese"])]
    if any(f in book.mapping for f in fields):
        cols += [Column("jrt_code", priority=3), Column("jrt_name", kind="plain", priority=4)]
    render.emit(rows, cols, fmt=fmt, lang=lang, limit=None, title=labels.t("title.choices", lang))


# Demo and init --------------------------------------------------------------------------------


def demo(
    ctx: typer.Context,
    count: int = typer.Option(300, "--count", help="How many complaints to make."),
    days: int = typer.Option(42, "--days", min=1, max=365, help="Spread over this many past days."),
    seed: int = typer.Option(7, "--seed", help="Random seed (the same seed gives the same data)."),
    force: bool = typer.Option(False, "--force", help="Add sample data even if the database has cases."),
) -> None:
    """Fill a demo database of its own with sample complaints; show the open and the overdue.

    Without --db (or COMPLAINTCTL_DB) the demo goes to demo.db in the user data folder, never to
    the register that init sets up.

    Example: complaintctl demo && complaintctl --db ~/.local/share/complaintctl/demo.db list
    """
    st = state(ctx)
    from complaintctl import demo as demo_data
    from complaintctl import reports

    from .state import default_db_path
    from .views import LIST_COLUMNS, table_columns

    if st.given_database() is None:
        st.db = str(default_db_path("demo.db"))
    store = st.store(create=True)
    result = demo_data.generate(store.unit_of_work(), st.context(), count=count, days=days, seed=seed, force=force)
    for note in st.notes:
        render.message(note)
    lang = st.language
    where = store.display_url
    render.message(labels.t("demo.made", lang, cases=result["cases"], staff=result["staff"], where=where))
    shown = 20
    with st.uow(write=False) as uow:
        keys = ("reference", "status", "tier", "product", "branch", "assignee", "received_at", "due_at",
                "regulatory_due_at", "clock")
        query = reports.CaseQuery()
        # Only the rows shown are fetched (and counted by SQL): the demo's own hint replaces the
        # table's "--all" one, which demo does not take.
        render.emit(reports.list_cases(uow, st.context(), query, limit=shown), table_columns(LIST_COLUMNS, "table", keys),
                    lang=lang, title=labels.t("title.cases", lang), limit=shown)
        total = reports.count_cases(uow, st.context(), query)
        rep = reports.overdue(uow, st.context(), reports.CaseQuery(), limit=shown)
        from .views import OVERDUE_EXTRA, OVERDUE_KEYS, count_line

        overdue_n = sum(rep.counts.values())
        typer.echo(count_line(rep.counts, rep.as_of, st.context().tz, lang))
        render.emit(rep.rows, table_columns(LIST_COLUMNS, "table", OVERDUE_KEYS, OVERDUE_EXTRA), lang=lang,
                    title=labels.t("title.overdue", lang), limit=shown, empty=labels.t("no_overdue", lang))
    render.message(labels.t("demo.next", lang, open=total, overdue=overdue_n, shown=shown,
                                    db=_shell_quote(where)))


def _shell_quote(text: str) -> str:
    import shlex

    return shlex.quote(text)


def init(
    ctx: typer.Context,
    branch: Optional[str] = typer.Option(None, "--branch", help="This branch's code, used as the default for log."),
    timezone: Optional[str] = typer.Option(None, "--timezone", help="IANA time zone (default Asia/Shanghai)."),
    country: Optional[str] = typer.Option(None, "--country", help="Calendar country (default CN)."),
    lang: Optional[str] = typer.Option(None, "--language", help="en or zh."),
    staff: list[str] = typer.Option([], "--staff", help="NAME:ROLE or NAME:ROLE:LOGIN, repeatable (e.g. zhangwei:manager:zhangwei)."),
    path: Optional[Path] = typer.Option(None, "--path", parser=given_path("--path"), metavar="FILE", help="Where to write the config file (default: config.toml in the user config folder, found from any folder)."),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing config file."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Take defaults for anything not given; ask nothing."),
) -> None:
    """Set up a branch: write the config file, create the database and register the first staff.

    Example: complaintctl init --branch BJ001 --staff wangfang:staff --staff zhangwei:manager --yes
    """
    import os
    import sys

    st = state(ctx)
    from complaintctl import setup
    from complaintctl.errors import UserError

    from .state import user_config_file

    # A config named by --config (or COMPLAINTCTL_CONFIG) that does not exist yet is the file init is
    # to write (unless --path says otherwise): read the defaults meanwhile, not an error.
    named = st.given_config()
    if named is not None and not named.exists():
        from complaintctl import config

        st._config = config.load(None, os.environ)
    lang_now = st.language
    interactive = not yes and sys.stdin.isatty()

    def ask(key: str, default: str, check=None, **params) -> str:
        """Ask until the answer is valid (a bad answer says why and asks again); with --yes or off a
        terminal, take the default (an empty one is not shown)."""
        if not interactive:
            return default
        while True:
            answer = typer.prompt(labels.t(key, lang_now, **params), default=default, show_default=bool(default))
            try:
                if check is not None:
                    check(answer)
                return answer
            except UserError as exc:
                render.warn(labels.error_text(exc, lang_now), lang_now)

    plan = setup.plan(
        branch=branch if branch is not None else ask("init.ask_branch", "", setup.check_branch),
        timezone=timezone or ask("init.ask_timezone", "Asia/Shanghai", setup.check_timezone),
        country=country or ask("init.ask_country", "CN", setup.check_country),
        # Written only when chosen (--language, or typed at the prompt): else the locale decides.
        lang=lang if lang is not None else (ask("init.ask_language", "", setup.check_language,
                                                lang=setup.locale_language(os.environ)).strip() or None),
        staff=[i for s in staff for i in setup.staff_items(s)] if staff else setup.staff_items(
            ask("init.ask_staff", "", setup.check_staff)),
        path=path or named or user_config_file(), force=force,
        database=st.given_database(),
    )
    database = st.database_file()
    if database is None or database.is_file():  # an existing database's rules: the new file may not say otherwise
        from complaintctl import rules
        from complaintctl.db import Store
        from complaintctl.errors import ComplaintctlError, ConfigError

        try:
            existing_store = Store(st.db_url, create=False)
            try:
                setup.check_rules(plan, rules.recorded_of(existing_store))
            finally:
                existing_store.dispose()
        except ConfigError:
            raise
        except ComplaintctlError:
            pass  # no database there yet (a server's): init creates it
    replaced = None
    try:
        replaced = setup.write_config(plan, protect=(st.database_file(),))
        st.config_path = plan.path
        st._config = st._context = None  # the new file is the config from here on
        store = st.store(create=True)
        added, existing = setup.register_staff(store, st.context(), plan.staff, plan.values.get("branch") or None)
    except BaseException:
        if replaced is not None:
            setup.take_back_config(plan, replaced)  # no config left naming a database that was not made
        raise
    setup.keep_config(replaced)
    for note in st.notes:
        render.message(note)
    lang = st.language
    operator = st.context().operator  # named as the administrator when init's account is one (it made the database)
    typer.echo(labels.t("init.done_admin" if operator.role == d.Role.ADMIN else "init.done", lang, path=plan.path,
                        where=store.display_url, n=len(added), admin=operator.name))
    if existing:
        render.message(labels.t("init.existing", lang, names=labels.t("list.enum", lang).join(existing)))
    cases = setup.case_count(store)
    if cases:
        render.warn(labels.t("init.has_cases", lang, where=store.display_url, n=cases), lang)
