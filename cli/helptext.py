"""Help pages in the operator's language, in one place: before Click renders any help, the command
tree gets the help texts of that language (the Chinese ones are complaintctl/labels.py's HELP_ZH),
and in Chinese a formatter that names its sections in Chinese and wraps by display width (a Chinese
character takes two columns, and Click's own wrapping counts it as one).
"""
from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path

try:  # recent Typer vendors its own copy of Click
    from typer import _click as click
except ImportError:  # pragma: no cover - older Typer uses Click itself
    import click

from complaintctl import labels

EXAMPLE = "\n\nExample:"
KEEP = "\n\n\b\nExample:"  # Click's \b: the Example paragraph is never rewrapped


def walk(command, path: tuple[str, ...] = ()):
    """Every command of the tree with its path: (), ("log",), ("report", "overdue"), ..."""
    yield path, command
    for name, sub in getattr(command, "commands", {}).items():
        yield from walk(sub, (*path, name))


def param_name(param) -> str:
    """How a parameter is named in labels.HELP_ZH: its longest option (--channel), or an argument's
    metavar name in capitals (CASE)."""
    if param.param_type_name == "argument":
        return param.name.upper()
    return max(param.opts, key=len)


def help_key(path: tuple[str, ...], param=None) -> str:
    """The labels.HELP_ZH key: "log", "report overdue", "log --channel", "assign CASE"; the
    top-level help is "" and its options "--lang"."""
    return " ".join((*path, param_name(param)) if param is not None else path)


def chinese(path: tuple[str, ...], english: str, param=None) -> str | None:
    """The Chinese help of a command or parameter, or None when labels.py has none. A command's
    Example lines are the English ones: commands and options are typed in English."""
    text = labels.help_zh(help_key(path, param), english)
    if text is None or param is not None:
        return text
    at = english.find(KEEP)
    at = english.find(EXAMPLE) if at < 0 else at
    return text if at < 0 else text + english[at:]


def apply(root, lang: str) -> None:
    """Put the help texts of `lang` on the whole command tree (the English ones are kept on each
    command and parameter, so a later run in English gets them back). Each command's "Example:"
    paragraph is marked preformatted, so that help never wraps an example in the middle of an
    option such as --root-cause."""
    zh = labels.is_chinese(lang)
    for path, cmd in walk(root):
        if not hasattr(cmd, "_help_en"):
            english = with_examples(cmd.help, " ".join(path))
            if english and EXAMPLE in english:
                english = english.replace(EXAMPLE, KEEP, 1)
            cmd._help_en, cmd._short_help_en, cmd._context_class_en = english, cmd.short_help, cmd.context_class
        text = chinese(path, cmd._help_en) if zh and cmd._help_en else None
        cmd.help = text or cmd._help_en
        cmd.short_help = _summary(text) if text else cmd._short_help_en
        cmd.context_class = _chinese_context(cmd._context_class_en) if zh else cmd._context_class_en
        for param in cmd.params:
            if not hasattr(param, "_help_en"):
                param._help_en = getattr(param, "help", None)
                _name_value(tuple(path), param)
            if param._help_en:
                param.help = (chinese(path, param._help_en, param) if zh else None) or param._help_en


# Values whose kind or form says more than their name (README writes them so too); a name ending
# in _at is a TIME. `--to` is a member of staff, a tier, a number of days or a date by its command.
_METAVARS = {"map_": "FIELD=COLUMN", "value_map": "FIELD:SOURCE=TARGET", "staff": "NAME:ROLE[:LOGIN]",
             "date_format": "FMT", "db": "PATH_OR_URL", "as_": "NAME", "limit": "N", "related": "CASE",
             "repeat_of": "CASE", "as_of": "TIME", "at": "TIME", "from_": "DATE", "start": "DATE", "end": "DATE",
             "to": "DATE", "assignee": "STAFF", "reviewer": "STAFF", "approved_by": "STAFF", "complained_staff": "STAFF",
             "owner": "STAFF", "with_": "STAFF", "description": "TEXT", "reason": "TEXT", "resolution": "TEXT",
             "text": "TEXT", "request": "TEXT", "customer": "NAME", "agent": "NAME", "by": "FIELD"}
_METAVARS_OF = {("assign", "to"): "STAFF", ("escalate", "to"): "TIER", ("extend", "to"): "DAYS"}


def _name_value(path: tuple[str, ...], param) -> None:
    """What help shows for a parameter's value: its kind (`--received-at TIME`, `--to STAFF`), its
    form (`--map FIELD=COLUMN`), else its name in capitals (`--channel CHANNEL`, `show CASE`), as
    README writes the commands; not the Python type Typer shows by default (`--map <list[str]>`)."""
    if getattr(param, "metavar", None) is not None or getattr(param, "is_flag", False) or getattr(param, "count", False):
        return
    name = param.name or ""
    param.metavar = (_METAVARS_OF.get((" ".join(path), name)) or _METAVARS.get(name)
                     or ("TIME" if name.endswith("_at") else name.strip("_").upper()) or None)


def with_examples(english: str | None, key: str) -> str | None:
    """A command's English help with the Example lines labels.py keeps for it (those holding
    Chinese values), after any its docstring has."""
    examples = labels.HELP_EXAMPLES.get(key)
    if not english or not examples:
        return english
    lines = "\n".join(f"Example: {line}" for line in examples)
    return f"{english.rstrip()}\n{lines}" if EXAMPLE in english else f"{english.rstrip()}{EXAMPLE} {lines[len('Example: '):]}"


def _summary(text: str) -> str:
    """A command's line in its group's list: the first sentence of its Chinese help."""
    first = text.split("\n", 1)[0]
    return first.split(labels.ZH_FULL_STOP, 1)[0]


def language(args: list[str], obj=None) -> str:
    """The language help will be shown in, known before Click parses anything: the session's
    (inside `complaintctl shell`), else --lang among the global options, else what the app's
    state decides (COMPLAINTCTL_CONFIG or --config, the config file's lang, the locale)."""
    from .state import AppState

    if any(key.startswith("_COMPLAINTCTL_COMPLETE") for key in os.environ):
        return "en"  # the shell completing a word shows no help: no config to read for it
    if isinstance(obj, AppState):
        state = obj
    else:
        given = _global_options(args)
        config = given.get("--config")
        state = AppState(lang=given.get("--lang"), config_path=Path(config) if config else None)
    try:
        lang = state.language
    except Exception:  # a broken config file is reported by the command itself, in the locale's language
        from complaintctl.config import locale_lang

        return locale_lang(os.environ) or "en"
    return lang if lang in labels.LANGS else "en"


def _global_options(args: list[str]) -> dict[str, str | None]:
    """The values of the global options given before the command name (--lang zh, --config=FILE)."""
    from .state import GLOBAL_VALUE_OPTIONS

    out: dict[str, str | None] = {}
    i = 0
    while i < len(args):
        name, eq, value = args[i].partition("=")
        if name in GLOBAL_VALUE_OPTIONS:
            out[name] = value if eq else (args[i + 1] if i + 1 < len(args) else None)
            i += 1 if eq else 2
        elif name.startswith("-"):
            i += 1
        else:
            break
    return out


# The Chinese formatter -------------------------------------------------------------------------

_CONTEXTS: dict[type, type] = {}


def _chinese_context(base: type) -> type:
    if base not in _CONTEXTS:
        _CONTEXTS[base] = type("Chinese" + base.__name__, (base,), {"formatter_class": ChineseFormatter})
    return _CONTEXTS[base]


def width(text: str) -> int:
    """Columns a text takes on a terminal: two for each wide (Chinese) character."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


_NO_LINE_START = labels.ZH_NO_LINE_START  # never at the start of a line
_NO_LINE_END = labels.ZH_NO_LINE_END  # never at the end of one
_TOKEN = re.compile(r"\[[^\[\]\n]{1,40}\]|\s+|[^\s]")  # a bracketed mark ([required], [default: table]) stays whole


def _tokens(text: str) -> list[str]:
    """Words that may not be split: a run of narrow characters, a bracketed mark, or one wide
    character with the punctuation that must stay next to it."""
    out: list[str] = []
    for ch in _TOKEN.findall(text):
        if len(ch) > 1 and not ch.isspace():
            out.append(ch)
            continue
        wide = width(ch) == 2
        prev = out[-1] if out else ""
        if ch.isspace():
            out.append(" ")
        elif prev and not prev.isspace() and (
                ch in _NO_LINE_START or prev[-1] in _NO_LINE_END
                or (not wide and width(prev[-1]) == 1)):
            out[-1] = prev + ch
        else:
            out.append(ch)
    return out


def fill(text: str, columns: int, initial: str = "", subsequent: str = "") -> str:
    """Wrap one paragraph to `columns` display columns."""
    lines, line, used, space = [], initial, width(initial), False
    for token in _tokens(text):
        if token == " ":
            space = True
            continue
        need = width(token) + (1 if space else 0)
        if used + need > columns and line.strip():
            lines.append(line)
            line, used, need = subsequent, width(subsequent), width(token)
        elif space:
            token = " " + token
        line += token
        used += need
        space = False
    lines.append(line)
    return "\n".join(lines)


def wrap(text: str, columns: int, indent: str = "") -> str:
    """Click's paragraph rules (a blank line between paragraphs, \\b before one never rewrapped)
    with wrapping by display width."""
    out = []
    for block in text.expandtabs().split("\n\n"):
        lines = block.splitlines()
        if not lines:
            continue
        if lines[0].strip() == "\b":
            out.append("\n".join(indent + line for line in lines[1:]))
        else:
            out.append(fill(" ".join(line.strip() for line in lines), columns, indent, indent))
    return "\n\n".join(out)


class ChineseFormatter(click.HelpFormatter):
    """Click's help layout with Chinese section names, wrapped by display width."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, labels.t("help.usage", labels.ZH) if prefix is None else prefix)

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{labels.HELP_ZH_HEADINGS.get(heading, heading)}{labels.ZH_COLON}\n")

    def write_text(self, text: str) -> None:
        self.write(wrap(text, self.width, " " * self.current_indent))
        self.write("\n")

    def write_dl(self, rows, col_max: int = 30, col_spacing: int = 2) -> None:
        rows = [(first, labels.help_zh_marks(second)) for first, second in rows]
        first_col = min(max((width(r[0]) for r in rows), default=0), col_max) + col_spacing
        for first, second in rows:
            self.write(f"{'':>{self.current_indent}}{first}")
            if not second:
                self.write("\n")
                continue
            if width(first) <= first_col - col_spacing:
                self.write(" " * (first_col - width(first)))
            else:
                self.write("\n" + " " * (first_col + self.current_indent))
            lines = wrap(second, max(self.width - first_col - 2, 10)).splitlines() or [""]
            self.write(lines[0] + "\n")
            for line in lines[1:]:
                self.write(f"{'':>{first_col + self.current_indent}}{line}\n")

