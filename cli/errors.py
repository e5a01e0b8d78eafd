"""Exceptions to exit codes and one line on stderr, in one place: EXIT_CODES below is the only
table from what went wrong to the exit code (the library's errors carry no numbers).

0 ok, 1 the environment failed (database, files), 2 bad input or an illegal move,
3 overdue cases found with --fail-on-overdue, 4 not permitted (the operator's login, role or
branch does not allow it).
"""
from __future__ import annotations

import sys
from enum import IntEnum
from typing import NoReturn

import typer
from typer.core import TyperGroup

try:  # recent Typer vendors its own copy of Click; its exceptions are the ones raised
    from typer import _click as click
except ImportError:  # pragma: no cover - older Typer uses Click itself
    import click

from complaintctl.errors import ComplaintctlError, EnvironmentFault, NotPermitted, OverdueFound, UserError


class ExitStatus(IntEnum):
    OK = 0
    ENVIRONMENT = 1
    USER = 2
    OVERDUE = 3
    NOT_PERMITTED = 4
    INTERRUPTED = 130  # Ctrl-C, as shells report a process stopped by SIGINT


# What each kind of library error exits with: the first class the error is an instance of decides.
EXIT_CODES: tuple[tuple[type[ComplaintctlError], ExitStatus], ...] = (
    (OverdueFound, ExitStatus.OVERDUE),
    (NotPermitted, ExitStatus.NOT_PERMITTED),
    (UserError, ExitStatus.USER),
    (EnvironmentFault, ExitStatus.ENVIRONMENT),
)


def exit_status(exc: ComplaintctlError) -> ExitStatus:
    """The exit code for a library error (EXIT_CODES; the environment's when none matches)."""
    for cls, code in EXIT_CODES:
        if isinstance(exc, cls):
            return code
    return ExitStatus.ENVIRONMENT


def error_line(text: str, lang: str = "en") -> str:
    """An error as its one line says it: the tool's name, then "error:" in the run's language (a
    Chinese line is Chinese from its start, as its warnings are), then the text on one line."""
    from complaintctl.labels import t

    return f"complaintctl: {t('err.prefix', lang, text=' '.join(str(text).split()))}\n"


def fail(text: str, code: int, lang: str = "en") -> NoReturn:
    """Print one line on stderr, in `lang`, and leave with `code`."""
    try:
        sys.stderr.write(error_line(text, lang))
        sys.stderr.flush()
    except OSError:  # no one to tell (the terminal closed: SIGHUP): the exit status still says it
        _mute_stderr()
    sys.exit(code)


def _mute_stderr() -> None:
    """Standard error gone: what Python would still write there at exit goes nowhere, so that the
    exit status is the command's (a failed flush at shutdown would make it 120)."""
    import os

    sys.stderr = open(os.devnull, "w", encoding="utf-8")


def interrupted(lang: str) -> NoReturn:
    """Ctrl-C, wherever it came (a prompt, a command, the lean way): past what the terminal echoed,
    one line in the run's language, exit 130."""
    from complaintctl.labels import t

    try:
        if sys.stderr.isatty():
            sys.stderr.write("\n")  # past the ^C the terminal echoed (not a blank line in a cron mail)
    except OSError:
        _mute_stderr()
    fail(t("err.interrupted", lang), ExitStatus.INTERRUPTED, lang)


def os_error_text(exc: OSError, lang: str = "en") -> str:
    """The one line for a failure of the system's (a full disk, a file that cannot be written); after
    the command's change was saved (standard output full, or gone), it says that the change stands."""
    from complaintctl import stopping

    text = f"{exc.strerror or exc}: {exc.filename or ''}".rstrip(": ")
    if stopping.saved_change():
        from complaintctl.labels import t

        return t("err.output_after_save", lang, why=text)
    return text


def _debug(ctx: click.Context | None) -> bool:
    """--debug was given (the callback may not have run yet when parsing fails)."""
    root = ctx.find_root() if ctx is not None else None
    return bool(getattr(getattr(root, "obj", None), "debug", False)) or "--debug" in sys.argv


def _lang(ctx: click.Context | None) -> str:
    """The language of the running command, without failing if the config itself is broken."""
    root = ctx.find_root() if ctx is not None else None
    state = getattr(root, "obj", None)
    if state is None:
        return "en"
    if getattr(state, "lang", None):
        return state.lang
    try:
        return state.language
    except Exception:  # (the config cannot be read: the locale's language, as a config without lang takes)
        import os

        from complaintctl.config import locale_lang

        return locale_lang(os.environ) or "en"


def usage_text(exc, lang: str) -> str:
    """A usage error (unknown option or command, missing or bad value) as one line in `lang`,
    pointing at the command's help. Click words these in English; the kinds a user meets are
    said again in Chinese from labels.py, anything else keeps Click's words."""
    from complaintctl import labels
    from complaintctl.masking import mask_typed

    hint = labels.t("usage.hint", lang, path=exc.ctx.command_path) if exc.ctx is not None else ""
    if not labels.is_chinese(lang):
        number = _bad_number(exc, labels, lang)
        message = exc.format_message()
        if message.startswith(_ECHOING):
            message = mask_typed(message)
        return (number or message) + hint
    try:
        return _usage_zh(exc, labels) + hint
    except Exception:  # a Click version that words or builds its errors differently: its own words
        return exc.format_message() + hint


# Click's usage errors that quote what was typed in place of a command, an option or after the
# arguments: a line that began with a caller's number, a number typed after a dash, or a note's text
# left unquoted, would be echoed in full.
_ECHOING = ("No such command", "Got unexpected extra argument", "No such option")


def _bad_number(exc, labels, lang: str) -> str | None:
    """A number option's bad value in our words rather than pydantic's, through which Typer checks
    them ("Input should be a valid integer, ...", "... greater than or equal to 1"); None otherwise."""
    if type(exc).__name__ != "BadParameter" or exc.param is None or not getattr(exc.param, "opts", None):
        return None
    cause = exc.__cause__
    errors = cause.errors() if cause is not None and hasattr(cause, "errors") else []
    bound = errors[0].get("ctx", {}) if errors else {}
    if "ge" in bound:
        why = labels.t("usage.at_least", lang, n=bound["ge"])
    elif "le" in bound:
        why = labels.t("usage.at_most", lang, n=bound["le"])
    elif _wanted_integer(exc):
        why = labels.t("usage.integer", lang)
    else:
        return None
    return labels.t("usage.bad_value", lang, name=exc.param.opts[0], why=why)


def _wanted_integer(exc) -> bool:
    """A value that should have been a whole number (Click's integer type, or Typer's coercion,
    which raises from a pydantic error whose type says so)."""
    if getattr(getattr(exc.param, "type", None), "name", "") == "integer":
        return True
    cause = exc.__cause__
    errors = cause.errors() if cause is not None and hasattr(cause, "errors") else []
    return bool(errors) and str(errors[0].get("type", "")).startswith("int_")


def _usage_zh(exc, labels) -> str:
    from complaintctl.masking import mask_typed

    kind, message = type(exc).__name__, exc.message or ""
    t = lambda key, **kw: labels.t(key, labels.ZH, **kw)  # noqa: E731
    if kind == "NoSuchOption":
        said = t("usage.no_such_option", name=mask_typed(exc.option_name))
        if exc.possibilities:
            said += t("usage.did_you_mean", names=", ".join(sorted(exc.possibilities)))
        return said
    if kind == "MissingParameter":
        param = exc.param
        if param is not None and getattr(param, "param_type_name", "") == "argument":
            return t("usage.missing", name=(param.name or "").upper())
        return t("usage.missing", name=" / ".join(param.opts) if param is not None else (exc.param_hint or ""))
    if kind == "BadParameter":
        param = exc.param
        name = param.opts[0] if param is not None and getattr(param, "opts", None) else (exc.param_hint or "")
        return _bad_number(exc, labels, labels.ZH) or t("usage.bad_value", name=name, why=message)
    if kind == "BadOptionUsage" and "requires an argument" in message:
        return t("usage.needs_value", name=exc.option_name)
    if message.startswith("No such command"):
        said = t("usage.no_such_command", name=mask_typed(message.split("'")[1]))
        if "Did you mean" in message:
            said += t("usage.did_you_mean", names=message.split("Did you mean", 1)[1].strip(" ?"))
        return said
    if message.startswith("Got unexpected extra argument"):
        return t("usage.extra", args=mask_typed(message[message.rfind("(") + 1:].rstrip(")")))
    return exc.format_message()


class App(TyperGroup):
    """The top-level group: usage errors and library errors become one line and an exit code."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        from complaintctl import stopping

        from . import helptext

        stopping.begin_run()
        lang = helptext.language(sys.argv[1:] if args is None else list(args), extra.get("obj"))
        helptext.apply(self, lang)
        try:
            rv = super().main(args=args, prog_name=prog_name or "complaintctl", complete_var=complete_var,
                              standalone_mode=False, **extra)
        except click.exceptions.UsageError as exc:
            if type(exc).__name__ == "NoArgsIsHelpError":
                click.echo(exc.ctx.get_help())
                sys.exit(ExitStatus.OK)
            fail(usage_text(exc, lang), ExitStatus.USER, lang)
        except (typer.Abort, KeyboardInterrupt):  # Ctrl-C, at a prompt (Abort) or anywhere else
            interrupted(lang)
        except typer.Exit as exc:
            if isinstance(exc.__cause__, KeyboardInterrupt):  # Typer's own word for a stop while parsing
                interrupted(lang)
            raise
        except click.exceptions.ClickException as exc:
            fail(exc.format_message(), exc.exit_code, lang)
        if not standalone_mode:
            return rv
        sys.exit(rv if isinstance(rv, int) else ExitStatus.OK)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, click.exceptions.ClickException):
            raise
        except ComplaintctlError as exc:
            if _debug(ctx):
                raise
            from complaintctl.labels import error_text

            fail(error_text(exc, _lang(ctx)), exit_status(exc), _lang(ctx))
        except UnicodeDecodeError:
            if _debug(ctx):
                raise
            from complaintctl.labels import t

            fail(t("err.stdin_not_utf8", _lang(ctx)), ExitStatus.USER, _lang(ctx))
        except KeyboardInterrupt:  # Ctrl-C in a command (Typer would turn it into a silent exit 130)
            interrupted(_lang(ctx))
        except BrokenPipeError:
            sys.exit(ExitStatus.ENVIRONMENT)
        except OSError as exc:
            if _debug(ctx):
                raise
            fail(os_error_text(exc, _lang(ctx)), ExitStatus.ENVIRONMENT, _lang(ctx))
        except Exception as exc:  # the last resort: still one line, and a way to see more
            if _debug(ctx):
                raise
            name = type(exc).__name__
            if "sqlalchemy" in type(exc).__module__:
                fail(f"database error ({name}): {str(exc).splitlines()[0]}", ExitStatus.ENVIRONMENT, _lang(ctx))
            fail(f"unexpected {name}: {exc} (run with --debug for the traceback)", ExitStatus.ENVIRONMENT, _lang(ctx))

