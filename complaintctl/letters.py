"""The decision letter to the customer (the decision notice): one HTML page from the decision recorded by
`resolve`, written with a Jinja2 template the bank may replace; producing it is an audited event."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from . import audit, deadlines, personal
from . import domain as d
from . import labels
from .errors import ConfigError, UserError
from . import access
from .context import Context
from .services import load_case

TEMPLATES = Path(__file__).parent / "templates"


def _environment(template: str, base: Path | None):
    """The Jinja2 environment (autoescaping HTML) and the template: the bank's, if config names one."""
    import jinja2

    if template:
        path = Path(template).expanduser()
        if not path.is_absolute() and base is not None:
            path = base / path
        if not path.is_file():
            raise ConfigError("err.letter_template_missing", path=str(path))
        loader = jinja2.FileSystemLoader(str(path.parent))
        name = path.name
    else:
        loader = jinja2.FileSystemLoader(str(TEMPLATES))
        name = "letter.html.j2"
    env = jinja2.Environment(loader=loader, autoescape=True, undefined=jinja2.StrictUndefined)
    try:
        return env.get_template(name)
    except jinja2.TemplateSyntaxError as exc:
        raise ConfigError("err.letter_template_syntax", name=name, line=exc.lineno, why=exc.message) from None


def decision_letter(uow, ctx: Context, key: str, *, lang: str = labels.ZH, reveal: bool = False,
                    template_dir: Path | None = None, ui_lang: str = "en") -> str:
    """The letter for a resolved (or closed) case, as HTML; records a `letter` event. A decision
    recorded without its facts found adds a warning (in `ui_lang`) to ctx.warnings.
    Long because the letter's fields (case, decision, relief, branch, template) are gathered once."""
    if lang not in labels.LANGS:
        from .errors import InvalidValue

        raise InvalidValue("--language", labels.typed_choice(lang, labels.LANGS), "acc.zh_or_en")
    settings = ctx.settings
    template = _environment(settings.get("letter.template", ""), template_dir)
    with uow:
        case = load_case(uow, key, ctx)
        # The decision's letter, once there is one: a decision under review, or reviewed, was made
        # and told all the same (the letter is of that decision; the review's outcome is its own).
        decided_states = (d.Status.RESOLVED.value, d.Status.CLOSED.value, d.Status.UNDER_REVIEW.value, d.Status.REVIEWED.value)
        if case.status not in decided_states or not case.resolution:
            raise UserError("letter.not_decided", ref=case.reference, status=d.Status(case.status))
        if reveal:
            access.require(ctx, access.Do.REVEAL, branch=case.branch)
        # In full for a revealing role (or with masking turned off, as far as the login may read
        # personal data); otherwise the masked values the case stores.
        fields = {f: getattr(case, f) for f in personal.FIELDS}
        if reveal or (not ctx.masking and personal.readable(uow)):
            fields = personal.revealed(fields, personal.current(uow, [case.id]).get(case.id, {}))
        fields = {f: labels.stored_text(v, lang) for f, v in fields.items()}  # what a purge left, in the letter's language
        contact = fields["phone"] or fields["email"]

        def t(k: str, **kw) -> str:
            return labels.t(k, lang, **kw)

        local = case.received_at.astimezone(ctx.tz)
        received = t("fmt.long_date", day=local)
        today = ctx.calendar.local_date(ctx.now)
        told = case.resolved_at
        decided = case.decided_at or told
        routes = [r for r in (case.relief or ",".join(x.value for x in d.Relief)).split(",") if r]
        review_last = ctx.calendar.local_date(deadlines.review_request_ends(told, ctx.calendar) - dt.timedelta(seconds=1))
        if not case.decision_facts:
            ctx.warnings.append(labels.t("letter.no_facts", ui_lang, ref=case.reference))
        if not (settings.get("bank.name") or settings.get("bank.branch_name") or settings.get("letter.template")):
            # (the built-in template signs with [bank]'s names; a bank's own may sign itself)
            ctx.warnings.append(labels.t("letter.unsigned", ui_lang))
        decision = {
            # What resolve recorded: the facts found, the basis, the result, when it was decided and told.
            "facts": fields["decision_facts"] or fields["description"],
            "facts_recorded": bool(case.decision_facts),
            "basis": fields["decision_basis"] or t("letter.basis_default"),
            "result": fields["resolution"],
            "decided_at": t("fmt.long_date", day=decided.astimezone(ctx.tz)),
            "told_at": t("fmt.long_date", day=told.astimezone(ctx.tz)),
            "notified_via": labels.plain(case.notified_via, lang, d.NotifiedVia) if case.notified_via else "",
        }
        review_to = settings.get("letter.review_to") or t("letter.review_default")
        relief = [{"route": r, "text": t(f"letter.{r}", to=review_to, last=t("fmt.long_date", day=review_last))}
                  for r in routes]
        html = template.render(
            t=t, lang=lang, case=case, customer=fields["customer"],
            contact=contact, received=received, product=labels.label(case.product, lang, d.Product),
            channel=labels.label(case.channel, lang, d.Channel), decision=decision, relief=relief,
            review_to=review_to, review_last=t("fmt.long_date", day=review_last),
            hotline=settings.get("letter.regulator_hotline") or "12378",
            bank={"name": settings.get("bank.name", ""), "branch_name": settings.get("bank.branch_name", ""),
                  "address": settings.get("bank.address", ""), "phone": settings.get("bank.phone", "")},
            date=t("fmt.long_date", day=today),
        )
        audit.append(uow, case_id=case.id, action=d.Action.LETTER.value, actor=ctx.actor, occurred_at=ctx.now,
                     recorded_at=ctx.now, new={"language": lang, "revealed": bool(reveal)},
                     detail="decision letter produced" + (" with personal data in full" if reveal else ""))
        uow.commit()
    return html
