"""Commands that record and move a case: log, assign, escalate, respond, note, pause, resume,
extend, resolve, reopen, close, and the read side: show and list."""
from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from . import render
from .completion import choices_for, staff_names
from .options import (AS_OF, AT, DOCUMENT_FORMAT, EXCEL, FORMAT, JSON, LIMIT, OUTPUT, SHEET_FORMAT, case_arg,
                      document_format, done, read_text, saved_output)
from .state import state


def register(app: typer.Typer) -> None:
    for fn in (log, assign, escalate, respond, note, pause, resume, extend, resolve, reopen, close, withdraw, review,
               review_decide, show, list_, find):
        name = "list" if fn is list_ else fn.__name__.replace("_", "-")
        app.command(name)(fn)


def log(
    ctx: typer.Context,
    channel: str = typer.Option(..., "--channel", "-c", autocompletion=choices_for("channel"), help="hotline, online_banking, mobile_app, branch_counter, suggestion_box, letter, email, regulator_referral, other (or the Chinese name)."),
    description: str = typer.Option(..., "--description", "-d", help="What the customer complains about; '-' reads standard input."),
    customer: Optional[str] = typer.Option(None, "--customer", help="Customer's name."),
    phone: Optional[str] = typer.Option(None, "--phone", help="Mobile 13812345678 or 138-1234-5678, landline (010) 6234 5678 or 010-62345678, or + and a country code; stored in one form."),
    email: Optional[str] = typer.Option(None, "--email", help="Customer's e-mail address."),
    account: Optional[str] = typer.Option(None, "--account", help="Account or card number concerned (12-19 digits)."),
    product: str = typer.Option("other", "--product", "-p", autocompletion=choices_for("product"), help="deposit, wealth_management, fund, insurance_agency, loan, credit_card, payment, forex, other."),
    category: str = typer.Option("other", "--category", autocompletion=choices_for("category"), help="service_attitude, misselling, disclosure, fees, product_return, contract_terms, fund_safety, information_security, system_failure, debt_collection, other."),
    tier: str = typer.Option("general", "--tier", "-t", autocompletion=choices_for("tier"), help="general, important or urgent (or the Chinese name)."),
    branch: Optional[str] = typer.Option(None, "--branch", help="Branch code; defaults to 'branch' in config."),
    department: Optional[List[str]] = typer.Option(None, "--department", help="A department concerned (the first leads); repeatable."),
    received_at: Optional[str] = typer.Option(None, "--received-at", help="When the customer complained (ISO 8601; default now; never in the future)."),
    related: Optional[str] = typer.Option(None, "--related", help="Reference of an earlier case this genuinely new complaint follows."),
    repeat_of: Optional[str] = typer.Option(None, "--repeat-of", help="The same complaint again while CASE is handled: recorded on CASE, no new case."),
    id_type: Optional[str] = typer.Option(None, "--id-type", autocompletion=choices_for("id_type"), help="Identity document: resident_id (default with --id-number), passport, hk_macao_permit, taiwan_permit, foreign_residence, other."),
    id_number: Optional[str] = typer.Option(None, "--id-number", help="The document's number (sensitive: masked everywhere like an account)."),
    agent: Optional[str] = typer.Option(None, "--agent", help="Name of an agent acting for the complainant (needs --agent-authority)."),
    agent_authority: Optional[str] = typer.Option(None, "--agent-authority", help="Reference of the agent's power of attorney."),
    complained_staff: Optional[str] = typer.Option(None, "--complained-staff", help="The staff member complained about, if any (never handles or reviews it)."),
    request: Optional[str] = typer.Option(None, "--request", help="What the complainant asks for (apart from the description)."),
    new_facts: bool = typer.Option(False, "--new-facts", help="With --repeat-of: it brings new facts or reasons, so CASE's clock restarts from --received-at."),
    json_out: bool = JSON,
) -> None:
    """Record a new complaint and print its reference (or a repeat on the original case).
    """
    st = state(ctx)
    from complaintctl import services

    result = services.log_case(
        st.uow(), st.context(), channel=channel, description=read_text(description, "description", st.language), customer=customer,
        phone=phone, email=email, account=account, product=product, category=category, tier=tier,
        branch=branch if branch is not None else st.config["branch"] or None, received_at=received_at, related=related,
        repeat_of=repeat_of, new_facts=new_facts, id_type=id_type, id_number=id_number, agent=agent,
        agent_authority=agent_authority, complained_staff=complained_staff, request=request, department=department,
    )
    if json_out:
        done(st, result, True)
        return
    with saved_output(result):
        typer.echo(result.case["reference"])
    render.message(result.text(st.language))
    for w in result.notes(st.language):
        render.warn(w, st.language)


def assign(
    ctx: typer.Context,
    case: str = case_arg(),
    to: str = typer.Option(..., "--to", help="The lead handler: registered staff.", autocompletion=staff_names),
    with_: Optional[List[str]] = typer.Option(None, "--with", autocompletion=staff_names, help="A co-handler (registered staff); repeat for each member of the team."),
    department: Optional[List[str]] = typer.Option(None, "--department", help="A department that deals with it (the first leads); repeatable."),
    override: bool = typer.Option(False, "--override", help="Assign below the tier's handler level (needs --reason; audited)."),
    reason: Optional[str] = typer.Option(None, "--reason", help="Why the handler level is overridden."),
    at: Optional[str] = AT,
    json_out: bool = JSON,
) -> None:
    """Hand a case to a member of staff whose role fits its tier.
    """
    st = state(ctx)
    from complaintctl import services

    done(st, services.assign(st.uow(), st.context(), case, to=to, department=department, override=override,
                             reason=reason, at=at, with_=with_), json_out)


def escalate(
    ctx: typer.Context,
    case: Optional[str] = typer.Argument(None, help="Case reference (C-2026-000123) or id; omit with --overdue."),
    to: Optional[str] = typer.Option(None, "--to", help="important or urgent.", autocompletion=choices_for("tier")),
    reason: Optional[str] = typer.Option(None, "--reason", help="Why the case goes up."),
    overdue: bool = typer.Option(False, "--overdue", help="Escalate every overdue general and important case by one tier (for cron)."),
    as_of: Optional[str] = AS_OF,
    dry_run: bool = typer.Option(False, "--dry-run", help="With --overdue: show what would change, write nothing."),
    at: Optional[str] = AT,
    fmt: str = typer.Option("table", "--format", "-f", help="With --overdue: table or json (--json is short for --format json)."),
    json_out: bool = JSON,
) -> None:
    """Raise a case to a higher tier, or with --overdue escalate every overdue case one tier.
    """
    st = state(ctx)
    from complaintctl import services

    if overdue:
        if case is not None or to is not None:
            from complaintctl.errors import UserError

            raise UserError("err.escalate_overdue_alone")
        from .reports import render_escalation

        render_escalation(st, as_of=as_of if as_of is not None else at, dry_run=dry_run,
                          fmt=document_format(fmt, json_out), as_of_option="--as-of" if as_of is not None else "--at")
        return
    if case is None or to is None:
        from complaintctl.errors import UserError

        raise UserError("err.escalate_needs")
    done(st, services.escalate(st.uow(), st.context(), case, to=to, reason=reason, at=at), json_out)


def respond(
    ctx: typer.Context,
    case: str = case_arg(),
    text: str = typer.Option(..., "--text", help="The response or initial plan given to the customer; '-' reads stdin."),
    at: Optional[str] = AT,
    json_out: bool = JSON,
) -> None:
    """Record the first response (for urgent cases the initial plan) given to the customer.
    """
    st = state(ctx)
    from complaintctl import services

    done(st, services.respond(st.uow(), st.context(), case, text=read_text(text, "text", st.language), at=at), json_out)


def note(
    ctx: typer.Context,
    case: str = case_arg(),
    text: str = typer.Argument(..., help="The follow-up; '-' reads stdin."),
    at: Optional[str] = AT,
    json_out: bool = JSON,
) -> None:
    """Add a follow-up note (an urgent case needs one every working day).
    """
    st = state(ctx)
    from complaintctl import services

    done(st, services.note(st.uow(), st.context(), case, text=read_text(text, "text", st.language), at=at), json_out)


def pause(
    ctx: typer.Context,
    case: str = case_arg(),
    reason: str = typer.Option(..., "--reason", help="customer_materials, appraisal or other.", autocompletion=choices_for("pause_reason")),
    note_text: Optional[str] = typer.Option(None, "--note", help="What is awaited."),
    at: Optional[str] = AT,
    json_out: bool = JSON,
) -> None:
    """Stop a case's clocks while waiting (appraisal also stops the regulatory clock).
    """
    st = state(ctx)
    from complaintctl import services

    done(st, services.pause(st.uow(), st.context(), case, reason=reason, note_text=note_text, at=at), json_out)


def resume(ctx: typer.Context, case: str = case_arg(), at: Optional[str] = AT, json_out: bool = JSON) -> None:
    """Restart a paused case's clocks; deadlines move later by the paused working time.

    Example: complaintctl resume C-2026-000001
    """
    st = state(ctx)
    from complaintctl import services

    done(st, services.resume(st.uow(), st.context(), case, at=at), json_out)


def extend(
    ctx: typer.Context,
    case: str = case_arg(),
    to: int = typer.Option(..., "--to", help="The total period, in days from receipt: 30 (a manager approves) or 60 (an executive approves; the ceiling)."),
    approved_by: Optional[str] = typer.Option(None, "--approved-by", autocompletion=staff_names,
                                              help="The approver, who must be the operator (checked, recorded)."),
    reason: str = typer.Option(..., "--reason", help="Why the case needs longer."),
    customer_told_at: Optional[str] = typer.Option(None, "--customer-told-at", help="When the customer was told of the extension and why (before the deadline being extended ran out; required to grant)."),
    request: bool = typer.Option(False, "--request", help="File a request for the approver to grant (anyone handling cases)."),
    at: Optional[str] = AT,
    json_out: bool = JSON,
) -> None:
    """Extend the regulatory period of a complex case to 30 or 60 days from receipt: run by the approver.
    """
    st = state(ctx)
    from complaintctl import services

    done(st, services.extend(st.uow(), st.context(), case, to=to, approved_by=approved_by, reason=reason,
                             customer_told_at=customer_told_at, at=at, request=request), json_out)


def resolve(
    ctx: typer.Context,
    case: str = case_arg(),
    resolution: str = typer.Option(..., "--resolution", help="What was decided and told to the customer; '-' reads stdin."),
    root_cause: Optional[str] = typer.Option(None, "--root-cause", help="The category that was really at fault."),
    notified_via: Optional[str] = typer.Option(None, "--notified-via", help="How the customer was told: phone, sms, letter, in_person or email."),
    facts: Optional[str] = typer.Option(None, "--facts", help="The facts found."),
    basis: Optional[str] = typer.Option(None, "--basis", help="The basis of the decision (contract terms, rules, law)."),
    relief: Optional[str] = typer.Option(None, "--relief", help="Routes of relief told to the customer, comma-separated: review, mediation, arbitration, litigation (default all four)."),
    decided_at: Optional[str] = typer.Option(None, "--decided-at", help="When the decision was made (default --at; never after it)."),
    at: Optional[str] = AT,
    json_out: bool = JSON,
) -> None:
    """Record the decision and that the customer was told it (--at: this meets the clocks).
    """
    st = state(ctx)
    from complaintctl import services

    done(st, services.resolve(st.uow(), st.context(), case, resolution=read_text(resolution, "resolution", st.language), root_cause=root_cause,
                              notified_via=notified_via, at=at, facts=facts, basis=basis, relief=relief,
                              decided_at=decided_at), json_out)


def reopen(
    ctx: typer.Context,
    case: str = case_arg(),
    reason: str = typer.Option(..., "--reason", help="Why the customer is not satisfied."),
    at: Optional[str] = AT,
    json_out: bool = JSON,
) -> None:
    """Reopen a resolved case the customer is not satisfied with: a new cycle with new deadlines.
    """
    st = state(ctx)
    from complaintctl import services

    done(st, services.reopen(st.uow(), st.context(), case, reason=reason, at=at), json_out)


def close(
    ctx: typer.Context,
    case: str = case_arg(),
    satisfaction: str = typer.Option(..., "--satisfaction", autocompletion=choices_for("satisfaction"), help="satisfied, unsatisfied or no_response."),
    at: Optional[str] = AT,
    json_out: bool = JSON,
) -> None:
    """Close a resolved case with the customer's satisfaction.

    Example: complaintctl close C-2026-000001 --satisfaction satisfied
    """
    st = state(ctx)
    from complaintctl import services

    done(st, services.close(st.uow(), st.context(), case, satisfaction=satisfaction, at=at), json_out)


def withdraw(
    ctx: typer.Context,
    case: str = case_arg(),
    reason: Optional[str] = typer.Option(None, "--reason", help="What the complainant said when withdrawing."),
    at: Optional[str] = AT,
    json_out: bool = JSON,
) -> None:
    """Record that the complainant withdrew the complaint: the procedure ends that day.
    """
    st = state(ctx)
    from complaintctl import services

    done(st, services.withdraw(st.uow(), st.context(), case, reason=reason, at=at), json_out)


def review(
    ctx: typer.Context,
    case: str = case_arg(),
    requested_at: str = typer.Option(..., "--requested-at", help="When the customer asked for the review (within 30 days of the decision)."),
    reviewer: str = typer.Option(..., "--reviewer", autocompletion=staff_names, help="Registered staff of a higher level than the handler, or a manager or above of the higher institution (staff without a branch)."),
    json_out: bool = JSON,
) -> None:
    """Record the customer's request for a review of the decision by a higher level: 30 days to decide.

    Example: complaintctl review C-2026-000001 --requested-at 2026-03-20T10:00 --reviewer sunli
    """
    st = state(ctx)
    from complaintctl import services

    done(st, services.request_review(st.uow(), st.context(), case, requested_at=requested_at, reviewer=reviewer),
         json_out)


def review_decide(
    ctx: typer.Context,
    case: str = case_arg(),
    outcome: str = typer.Option(..., "--outcome", autocompletion=choices_for("review_outcome"), help="upheld or changed (or the Chinese name)."),
    text: str = typer.Option(..., "--text", help="The review's conclusion as told to the customer; '-' reads stdin."),
    at: Optional[str] = AT,
    json_out: bool = JSON,
) -> None:
    """Record the review's decision: the original decision upheld or changed.
    """
    st = state(ctx)
    from complaintctl import services

    done(st, services.decide_review(st.uow(), st.context(), case, outcome=outcome, text=read_text(text, "text", st.language), at=at),
         json_out)


def show(
    ctx: typer.Context,
    case: str = case_arg(),
    as_of: Optional[str] = AS_OF,
    reveal: bool = typer.Option(False, "--reveal", help="Show personal data in full (managers and executives; audited)."),
    fmt: str = DOCUMENT_FORMAT,
    json_out: bool = JSON,
) -> None:
    """Show a case: the record, every clock with time left or overdue, its cycles and full timeline.

    Example: complaintctl show C-2026-000001
    """
    st = state(ctx)
    from complaintctl import services

    fmt = document_format(fmt, json_out)
    render.check_document_format(fmt)  # before --reveal records its event
    uow = st.uow(write=reveal)
    detail = services.show(uow, st.context(), case, reveal=reveal, as_of=as_of, lang=st.language)
    from .views import emit_detail

    emit_detail(detail, fmt, st.language)


def list_(
    ctx: typer.Context,
    status: Optional[str] = typer.Option(None, "--status", help="Only this state."),
    tier: Optional[str] = typer.Option(None, "--tier", help="Only this tier."),
    assignee: Optional[str] = typer.Option(None, "--assignee", help="Only this assignee."),
    mine: bool = typer.Option(False, "--mine", help="Only the cases assigned to me (the operator)."),
    branch: Optional[str] = typer.Option(None, "--branch", help="Only this branch."),
    channel: Optional[str] = typer.Option(None, "--channel", help="Only this channel."),
    product: Optional[str] = typer.Option(None, "--product", help="Only this product."),
    overdue: bool = typer.Option(False, "--overdue", help="Only cases past a deadline."),
    due_soon: bool = typer.Option(False, "--due-soon", help="Only cases due within the due-soon threshold."),
    stale: bool = typer.Option(False, "--stale", help="Only urgent cases without a follow-up in time."),
    all_: bool = typer.Option(False, "--all", help="Include resolved and closed cases (and show every row in a table)."),
    as_of: Optional[str] = AS_OF,
    fmt: str = SHEET_FORMAT,
    output: Optional[Path] = OUTPUT,
    excel: bool = EXCEL,
    limit: Optional[int] = LIMIT,
) -> None:
    """List cases, newest first: open ones by default, with state and due columns.

    Example: complaintctl list --tier urgent --format csv --output urgent.csv
    """
    st = state(ctx)
    from complaintctl import labels, reports

    from .views import LIST_COLUMNS, filtered_title, list_paging, sheet_title, table_columns

    if mine:
        from complaintctl.filters import mine as own

        assignee = own(assignee, lambda: st.operator)
    query = reports.CaseQuery(status=status, tier=tier, assignee=assignee, branch=branch, channel=channel,
                              product=product, overdue=overdue, due_soon=due_soon, stale=stale, include_closed=all_,
                              received_by=as_of is not None)
    render.check_format(fmt, excel, output, render.SHEET_FORMATS)
    shown, paged = list_paging(all_, limit, fmt, output)
    with st.uow(write=False) as uow:
        c = st.context()
        reports.check_names(uow, query)
        # A terminal table fetches only the rows it shows; SQL counts the rest.
        rows = reports.list_cases(uow, c, query, as_of=as_of, limit=shown if paged else None)
        total = reports.count_cases(uow, c, query, as_of=as_of) if paged else None
        name = labels.t("title.cases", st.language)
        title = sheet_title(filtered_title(name, query, st.language), st.language, as_of=reports.as_of_time(as_of, c),
                            tz=c.tz) if fmt == "xlsx" else None
        render.emit(rows, table_columns(LIST_COLUMNS, fmt), fmt=fmt, output=output, excel=excel, lang=st.language,
                    title=title, tab=name, limit=shown, total=total, formats=render.SHEET_FORMATS)


def find(
    ctx: typer.Context,
    phone: Optional[str] = typer.Option(None, "--phone", help="The caller's phone, written any way (spaces, dashes, brackets, +86)."),
    account: Optional[str] = typer.Option(None, "--account", help="An account or card number (spaces and dashes ignored)."),
    id_number: Optional[str] = typer.Option(None, "--id-number", help="An identity document number."),
    name: Optional[str] = typer.Option(None, "--name", help="The customer's name as recorded."),
    as_of: Optional[str] = AS_OF,
    fmt: str = FORMAT,
    output: Optional[Path] = OUTPUT,
    excel: bool = EXCEL,
) -> None:
    """Find a caller's cases, open and closed, by one identifier; personal data masked as in list.

    Example: complaintctl find --phone "+86 138-1234-5678"
    """
    st = state(ctx)
    from complaintctl import filters, personal, reports

    from .views import LIST_COLUMNS, table_columns

    key = filters.one_lookup(phone=phone, account=account, id_number=id_number, name=name)
    render.check_format(fmt, excel)
    with st.uow(write=False) as uow:
        query = reports.CaseQuery(include_closed=True, case_ids=personal.case_ids(uow, key))
        rows = reports.list_cases(uow, st.context(), query, as_of=as_of)
        render.emit(rows, table_columns(LIST_COLUMNS, fmt), fmt=fmt, output=output, excel=excel, lang=st.language,
                    title=None)
