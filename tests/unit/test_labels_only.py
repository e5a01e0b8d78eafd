"""What a user reads, in English or Chinese, lives in complaintctl/labels.py: no other file of the
library or the CLI holds Chinese text or decides anything by the language. (The demo's sample
complaints are data, in complaintctl/demo.json.)"""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LABELS = ROOT / "complaintctl" / "labels.py"
FILES = sorted(p for folder in ("complaintctl", "cli") for p in (ROOT / folder).rglob("*.py") if p != LABELS)
# CJK ideographs, CJK punctuation and full-width forms (，：（）).
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")
# lang == ..., ... != language, "zh" anywhere: a choice made by the language (English as a
# default parameter is no choice).
LANGUAGE_TEST = re.compile(r"""\b(lang|language)\s*(==|!=)|(==|!=)\s*[\w.]*\b(lang|language)\b|["']zh["']""")


def _offences(pattern: re.Pattern) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for path in FILES:
        rel = path.relative_to(ROOT).as_posix()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if pattern.search(line):
                out.setdefault(rel, []).append(f"{rel}:{number}: {line.strip()}")
    return out


def test_no_file_but_labels_holds_chinese_text():
    offences = [line for lines in _offences(CJK).values() for line in lines]
    assert not offences, "Chinese text belongs in complaintctl/labels.py:\n" + "\n".join(offences)


def test_no_file_but_labels_branches_on_the_language():
    offences = [line for lines in _offences(LANGUAGE_TEST).values() for line in lines]
    assert not offences, "language choices belong in complaintctl/labels.py:\n" + "\n".join(offences)


def test_the_checks_see_what_they_look_for():
    assert CJK.search("超时") and CJK.search("，") and not CJK.search("overdue -> 3wd")
    for line in ('if lang == "zh":', 'x if st.language == "en" else y', 'lang not in ("en", "zh")',
                 "if 'en' != lang", 'name(code, "zh")'):
        assert LANGUAGE_TEST.search(line), line
    assert not LANGUAGE_TEST.search("labels.t(key, lang)") and not LANGUAGE_TEST.search('lang: str = "en"')


# What a command says when it succeeds or warns: typer.echo, render.message, render.warn. A literal
# holding an English word there is a line a Chinese user would read in English.
SAYS = {"echo", "secho", "message", "warn"}
WORD = re.compile(r"[A-Za-z]{3,}")
ALLOWED = {"complaintctl "}  # the --version line: the program's name


def _literal_text(arg) -> str:
    import ast

    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
        return arg.value
    if isinstance(arg, ast.JoinedStr):
        return "".join(v.value for v in arg.values if isinstance(v, ast.Constant))
    if isinstance(arg, ast.BinOp):
        return " ".join(_literal_text(side) for side in (arg.left, arg.right))
    return ""


def _said_in_english(source: str) -> list[int]:
    import ast

    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and node.args:
            name = getattr(node.func, "attr", getattr(node.func, "id", ""))
            text = _literal_text(node.args[0])
            if name in SAYS and text not in ALLOWED and WORD.search(text):
                lines.append(node.lineno)
    return lines


def test_no_command_says_a_literal_english_line():
    offences = [f"{p.relative_to(ROOT).as_posix()}:{n}" for p in FILES if p.parent.name == "cli"
                for n in _said_in_english(p.read_text(encoding="utf-8"))]
    assert not offences, "say it with labels.t (English and Chinese in labels.py): " + ", ".join(offences)


def test_the_literal_check_sees_what_it_looks_for():
    assert _said_in_english('typer.echo(f"{n} deactivated")') == [1]
    assert _said_in_english('render.warn("open case(s) " + x)') == [1]
    assert _said_in_english('typer.echo(labels.t("done.check_ok", lang))') == []
    assert _said_in_english('typer.echo("")') == []
