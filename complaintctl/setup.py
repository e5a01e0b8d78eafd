"""First-run set-up: validate the answers, then write the config file (never over an existing one)."""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from . import config, domain as d, files, labels
from .errors import InvalidValue, UserError


@dataclass
class Plan:
    path: Path
    values: dict
    staff: list[tuple[str, str, str | None]]
    force: bool


def check_timezone(value: str) -> None:
    config.check_value("timezone", value.strip())


def check_country(value: str) -> None:
    config.check_value("calendar.country", value.strip().upper())


def check_language(value: str) -> None:
    """The language typed at init's prompt; an empty answer leaves it to the locale."""
    if value.strip():
        config.check_value("lang", value.strip())


def locale_language(env) -> str:
    """The language a config without `lang` runs in: the locale's, else the default."""
    return config.locale_lang(env) or config.DEFAULTS["lang"]


def check_branch(value: str) -> None:
    """The branch asked for at a terminal: a code (a higher institution's set-up gives --branch '')."""
    if not value.strip():
        raise InvalidValue("--branch", value, "acc.init_branch")
    config.check_value("branch", value.strip())


def staff_items(value: str) -> list[str]:
    """The NAME:ROLE[:LOGIN] items of a comma-separated answer, the full-width comma and colon of a
    Chinese input method read as the ASCII ones."""
    return [s for s in _ascii_marks(value).split(",") if s.strip()]


def _ascii_marks(value: str) -> str:
    return value.translate(_FULL_WIDTH_MARKS)  # the names themselves as typed


_FULL_WIDTH_MARKS = str.maketrans({"\uff0c": ",", "\uff1a": ":"})  # the full-width comma and colon


def check_staff(value: str) -> None:
    _people(staff_items(value))


def _people(staff: list[str]) -> list[tuple[str, str, str | None]]:
    people = []
    for item in staff:
        name, _, rest = _ascii_marks(item).partition(":")
        role, _, login = rest.partition(":")
        if not name.strip() or not role.strip():
            raise InvalidValue("--staff", item, "acc.staff_spec")
        people.append((d.clean_name("--staff", name), labels.parse(d.Role, role, "--staff role").value,
                       d.clean_login(login, "--staff login") if login.strip() else None))
    return people


def plan(*, branch: str, timezone: str, country: str, lang: str | None, staff: list[str], path: Path, force: bool,
         database: str | None = None) -> Plan:
    """Check every answer before anything is written. `database` (the --db given to init) is
    remembered in the config, so later commands from any folder use the same register. `lang` is
    written only when the operator chose one: without it the locale decides each run (a `lang` in
    the file would override the locale for good)."""
    values = {"timezone": timezone.strip(), "branch": branch.strip(), "calendar.country": country.strip().upper()}
    if lang is not None:
        values["lang"] = lang.strip()
    for key, value in values.items():
        config.check_value(key, value)
    if database:
        from .db import config_url

        values["database.url"] = config_url(database)
    people = _people(staff)
    if not values["branch"] and any(d.Role(role) in d.HANDLING_ROLES for _, role, _ in people):
        raise InvalidValue("--branch", "", "acc.staff_branch")
    if path.exists() and not force:
        raise UserError("err.config_exists", path=str(path))
    return Plan(path, values, people, force)


def check_rules(p: Plan, recorded: dict | None) -> None:
    """Refuse (ConfigError, before anything is written) a plan whose file would set a deadline rule
    otherwise than the existing database records it (config.under_rules)."""
    values = {**config.DEFAULTS, **{k: config.check_value(k, v) for k, v in p.values.items() if k in config.DEFAULTS}}
    sources = {k: (str(p.path) if k in p.values else "default") for k in config.DEFAULTS}
    config.under_rules(config.Config(values, sources, p.path), recorded)


@dataclass
class Replaced:
    """What init's config file replaced: whether there was a file, and where it was kept aside (a
    second name for the same file, its mode and owner as they were; None when none could be made)."""

    existed: bool
    aside: Path | None = None


def write_config(p: Plan, protect: tuple[Path | None, ...] = ()) -> Replaced:
    """The plan's config file written (whole or not at all; never onto `protect`, the database);
    returns what it replaced, for take_back_config or keep_config."""
    text = "# complaintctl configuration (written by complaintctl init)\n" + config.render_toml(p.values)
    try:
        p.path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise files.cannot_write(p.path, exc) from None
    replaced = Replaced(p.path.is_file() and not p.path.is_symlink())
    if replaced.existed:  # --force: the file it replaces is kept under a second name until init is done
        aside = p.path.with_name(f".{p.path.name}.{secrets.token_hex(4)}.before")
        try:
            os.link(p.path, aside)
            replaced.aside = aside
        except OSError:
            pass  # (a file system without hard links: a failed init keeps the new file)
    try:
        # Whole or not at all, as every file the tool writes (a full disk leaves no empty config behind).
        with files.atomic_text(p.path, "--path", newline="\n", protect=protect) as fh:
            fh.write(text)
    except BaseException:
        keep_config(replaced)
        raise
    return replaced


def take_back_config(p: Plan, replaced: Replaced) -> None:
    """init failed after writing its config file (the database could not be made): the file as it
    was before (none, or the very file --force was replacing)."""
    try:
        if not replaced.existed:
            p.path.unlink(missing_ok=True)
        elif replaced.aside is not None:
            os.replace(replaced.aside, p.path)
    except OSError:
        pass  # the error that brought us here is the one to report


def keep_config(replaced: Replaced) -> None:
    """init is done (or wrote nothing): the replaced file's second name goes."""
    if replaced.aside is not None:
        replaced.aside.unlink(missing_ok=True)


def case_count(store) -> int:
    """How many cases the database already holds (init warns: demo data, or another register)."""
    from sqlalchemy import func, select

    from .models import Case

    with store.unit_of_work(write=False) as uow:
        return uow.session.execute(select(func.count()).select_from(Case)).scalar_one()


def register_staff(store, ctx, people: list[tuple[str, str, str | None]], branch: str | None) -> tuple[list[str], list[str]]:
    """Register the first staff; names already registered are left as they are (init can be re-run).
    The account running init administers the database (mapped when the database was created)."""
    from . import services
    from .errors import DuplicateStaff

    added, existing = [], []
    for name, role, login in people:
        try:
            services.staff_add(store.unit_of_work(), ctx, name=name, role=role, branch=branch or d.NO_BRANCH, login=login)
            added.append(name)
        except DuplicateStaff:
            existing.append(name)
    return added, existing
