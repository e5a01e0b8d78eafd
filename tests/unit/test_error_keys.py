"""Every error a user can meet is a labels.py key with values, so that it reads the same in English
and in Chinese: no error is made from a literal English text, and every error's Chinese template is
Chinese (apart from option names, command names, placeholders, formats and product names)."""
from __future__ import annotations

import ast
import re
from pathlib import Path

from complaintctl import errors, labels

ROOT = Path(__file__).resolve().parents[2]
FILES = sorted(p for folder in ("complaintctl", "cli") for p in (ROOT / folder).rglob("*.py")
               if p != ROOT / "complaintctl" / "errors.py")
# Every error class a raise site may construct.
ERROR_CLASSES = {name for name, obj in vars(errors).items()
                 if isinstance(obj, type) and issubclass(obj, errors.ComplaintctlError)}
# Classes whose own __init__ takes values, not a key (they choose their key themselves).
VALUE_CLASSES = {"IllegalMove", "UnknownCase", "UnknownStaff", "CheckFailed", "OverdueFound"}


def _name(func: ast.expr) -> str | None:
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None


def _key_problems(node: ast.expr, keys, what: str) -> list[str]:
    """Why `node` is not a labels key (or a name holding one): a literal text, an f-string, a sum."""
    if isinstance(node, ast.IfExp):
        return _key_problems(node.body, keys, what) + _key_problems(node.orelse, keys, what)
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [] if node.value in keys else [f"{what} {node.value[:50]!r} is not a labels key"]
    if isinstance(node, (ast.Name, ast.Attribute)):
        return []  # a key passed on (labels.parse's field, read_time's accepted)
    return [f"{what} is {type(node).__name__}, not a labels key"]


def construction_problems(source: str, where: str = "") -> list[str]:
    """Each error constructed in `source` from something other than a labels key."""
    accepted_keys = {k for k in labels.TEXT if k.startswith("acc.")}
    problems = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call) or _name(node.func) not in ERROR_CLASSES:
            continue
        cls, at = _name(node.func), f"{where}:{node.lineno}: {_name(node.func)}"
        if cls in VALUE_CLASSES:
            continue
        if cls in ("InvalidValue", "InvalidPath"):
            arg = node.args[2] if len(node.args) > 2 else next((k.value for k in node.keywords if k.arg == "accepted"), None)
            found = [f"{at}: no accepted key"] if arg is None else _key_problems(arg, accepted_keys, f"{at}: accepted")
        else:
            keys = labels.DENIALS if cls == "NotPermitted" else labels.TEXT
            found = [f"{at}: no key"] if not node.args else _key_problems(node.args[0], keys, f"{at}: key")
        problems += found
    return problems


def test_every_error_is_made_from_a_labels_key():
    problems = [p for path in FILES
                for p in construction_problems(path.read_text(encoding="utf-8"), path.relative_to(ROOT).as_posix())]
    assert not problems, "make these errors from a labels.py key (err.*, acc.*) and its values:\n" + "\n".join(problems)


def test_the_walk_sees_literal_texts():
    assert construction_problems('raise InvalidValue("--x", v, "a quarter such as 2026Q3")')
    assert construction_problems('raise InvalidValue("--x", v, f"a date before {day}")')
    assert construction_problems('raise InvalidValue("--x", v, "one of " + ", ".join(FORMATS))')
    assert construction_problems('raise errors.UserError(f"{ref} is paused")')
    assert construction_problems('raise ConfigError("config key x: expected text")')
    assert construction_problems('raise InvalidValue("--x", v, "acc.quarter" if a else "expected a month")')
    assert not construction_problems('raise InvalidValue("--x", v, "acc.quarter")')
    assert not construction_problems('raise InvalidPath("--output", p, "acc.new_path")')
    assert construction_problems('raise InvalidPath("--output", p, "a new file")')
    assert not construction_problems('raise InvalidValue("--x", v, "acc.region" if k else "acc.region_none", known=k)')
    assert not construction_problems('raise UserError("err.find_one")')
    assert not construction_problems('raise NotPermitted("role", person=p)')


# Words a Chinese error may keep in Latin letters: what a user types (commands, choices, file
# columns, config keys) and names of products and packages. Option names (--x), placeholders, quoted values,
# formats (YYYY-MM-DD, %Y/%m/%d), paths, URLs and all-capital words (CSV, TOML, NAME) are not words here.
def _allowed_words() -> set[str]:
    from complaintctl import config, importer
    from complaintctl_cli.main import app
    import typer.main

    words = {"complaintctl", "holidays", "strftime", "true", "false", "html", "json", "jsonl", "csv", "xlsx",
             "pip", "install", "postgresql", "sqlite", "jinja", "none", "codes", "regions", "masking"}
    stack = [typer.main.get_command(app)]
    while stack:
        command = stack.pop()
        words.add(command.name)
        stack.extend(getattr(command, "commands", {}).values())
    for choices in labels.CHOICES.values():
        words.update(choices)
    words.update(importer.FIELDS)
    words.update(part for key in config.DEFAULTS for part in key.split("."))  # config keys
    return {w.lower() for w in words if w}


ALLOWED = _allowed_words()
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
SPLIT = re.compile(r"[\s\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef,;()\[\]|!?]+")


def english_words(text: str) -> list[str]:
    """The English words (3 letters or more) left in a Chinese text once what may stay is taken out."""
    text = re.sub(r"\{[^}]*\}|'[^']*'|\"[^\"]*\"", " ", text)  # placeholders and quoted values
    return [w for w in SPLIT.split(text)
            if re.fullmatch(r"[A-Za-z]{3,}", w) and not w.isupper() and w.lower() not in ALLOWED]


def error_keys() -> list[str]:
    return sorted(k for k in labels.TEXT if k.startswith(("err.", "acc.", "usage.")))


def test_every_error_has_a_chinese_template_that_is_chinese():
    bad = {}
    for key in error_keys():
        en, zh = labels.TEXT[key]
        if zh == en or not CJK.search(zh) or english_words(zh):
            bad[key] = (zh, english_words(zh))
    for kind, (_en, zh) in labels.DENIALS.items():
        if not CJK.search(zh) or english_words(zh):
            bad[f"DENIALS[{kind}]"] = (zh, english_words(zh))
    assert not bad, bad


def test_every_key_an_error_names_exists_in_both_languages():
    used = set()
    for path in FILES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and re.fullmatch(r"(err|acc)\.\w+", node.value):
                used.add(node.value)
    missing = sorted(k for k in used if k not in labels.TEXT)
    assert not missing, missing
    unused = sorted(k for k in error_keys() if k.startswith("acc.") and k not in used)
    assert not unused, f"accepted texts no error uses: {unused}"


def test_the_word_check_sees_english():
    assert english_words("应为a quarter such as 2026Q3") == ["quarter", "such"]
    assert english_words("--quarter 的值 '2026Q5' 无效：应为季度，如 2026Q3") == []
    assert english_words("见 complaintctl staff list；或 name@example.com、YYYY-MM-DD、{where}") == []
