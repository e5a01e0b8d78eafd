"""Remediation actions (action add / done / list) and the decision letter (letter CASE)."""
from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from complaintctl import labels

from . import render
from .options import AS_OF, FORMAT, OUTPUT, RESULT_JSON, case_arg
from .state import state
from .views import action_columns, table_rows

action_app = typer.Typer(help="Remediation actions decided from complaint analysis.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(action_app, name="action")
    app.command("letter")(letter)


def _done_line(result: dict, lang: str) -> str:
    return labels.t("msg.action_done" if result["status"] == "done" else "msg.action_added", lang, id=result["id"],
                    owner=result["owner"], due=result["due_on"])


@action_app.command("add")
def action_add(
    ctx: typer.Context,
    title: str = typer.Option(..., "--title", help="What will be changed (a product, a rule, a script, training...)."),
    root_cause: str = typer.Option(..., "--root-cause", help="The complaint category it addresses (see 'choices category')."),
    owner: str = typer.Option(..., "--owner", help="Registered staff who answers for it."),
    due: str = typer.Option(..., "--due", help="Due date (YYYY-MM-DD); late from the day after."),
    product: Optional[str] = typer.Option(None, "--product", help="The product concerned, if one."),
    case: Optional[List[str]] = typer.Option(None, "--case", help="A complaint case that led to it (repeatable)."),
    json_out: bool = RESULT_JSON,
) -> None:
    """Record a remediation action with its owner and deadline, linked to the cases behind it.
    """
    st = state(ctx)
    from complaintctl import remediation

    result = remediation.add(st.uow(), st.context(), title=title, root_cause=root_cause, owner=owner, due=due,
                             product=product, cases=case)
    render.print_json(result) if json_out else typer.echo(_done_line(result, st.language))


@action_app.command("done")
def action_done(
    ctx: typer.Context,
    action_id: str = typer.Argument(..., metavar="ID", help="The action's number (from 'action list')."),
    evidence: str = typer.Option(..., "--evidence", help="What shows it was done (document, circular, training record)."),
    at: Optional[str] = typer.Option(None, "--at", help="When it was done (ISO 8601; default now; not in the future)."),
    json_out: bool = RESULT_JSON,
) -> None:
    """Mark a remediation action done, with the evidence.
    """
    st = state(ctx)
    from complaintctl import remediation

    result = remediation.done(st.uow(), st.context(), action_id, evidence=evidence, at=at)
    render.print_json(result) if json_out else typer.echo(_done_line(result, st.language))


@action_app.command("list")
def action_list(
    ctx: typer.Context,
    overdue: bool = typer.Option(False, "--overdue", help="Only open actions past their due date."),
    status: Optional[str] = typer.Option(None, "--status", help="open or done."),
    owner: Optional[str] = typer.Option(None, "--owner"),
    as_of: Optional[str] = AS_OF,
    fmt: str = FORMAT, output: Optional[Path] = OUTPUT,
) -> None:
    """Remediation actions, earliest due first, with how many days late.

    Example: complaintctl action list --overdue
    """
    st = state(ctx)
    from complaintctl import remediation
    from complaintctl.context import parse_time

    lang = st.language
    c = st.context()
    moment = parse_time(as_of, c, "--as-of") if as_of is not None else None
    with st.uow(write=False) as uow:
        rows = remediation.actions(uow, c, as_of=moment, overdue=overdue, status=status, owner=owner)
        if fmt == "table":
            rows = table_rows(rows)
        render.emit(rows, action_columns(fmt), fmt=fmt, output=output, lang=lang, limit=None,
                    title=labels.t("title.actions", lang), empty=labels.t("no_actions", lang))


def letter(
    ctx: typer.Context,
    case: str = case_arg(),
    output: Optional[Path] = OUTPUT,
    lang: Optional[str] = typer.Option(None, "--language", help="zh (default) or en."),
    reveal: bool = typer.Option(False, "--reveal", help="The customer's full name and contact (managers and executives)."),
) -> None:
    """Write the decision letter to the customer (the decision notice) as HTML, from the decision recorded by resolve.

    Example: complaintctl letter C-2026-000012 --output letter.html
    """
    st = state(ctx)
    from complaintctl import letters

    c = st.context()
    html = letters.decision_letter(st.uow(), c, case, lang=lang if lang is not None else labels.ZH, reveal=reveal,
                                   template_dir=st.config.path.parent if st.config.path else None,
                                   ui_lang=st.language)
    with render.destination(output) as fh:
        fh.write(html)
    for w in c.warnings:
        render.warn(w, st.language)
