"""Every text of labels.py is defined once: a second definition of a key (a later TEXT.update or
TEXT[...] = ...) would silently replace the first, and the first's callers would format the other
text (a KeyError for a placeholder it lacks, or the wrong words)."""
from __future__ import annotations

import ast
from collections import Counter
from pathlib import Path

import complaintctl.labels as labels


def _definitions() -> list[str]:
    tree = ast.parse(Path(labels.__file__).read_text(encoding="utf-8"))
    keys: list[str] = []

    def literal_keys(node: ast.AST) -> None:
        if isinstance(node, ast.Dict):
            keys.extend(k.value for k in node.keys if isinstance(k, ast.Constant) and isinstance(k.value, str))

    for node in ast.walk(tree):
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.target.id == "TEXT":
            literal_keys(node.value)
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name) \
                        and target.value.id == "TEXT" and isinstance(target.slice, ast.Constant):
                    keys.append(target.slice.value)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "update" \
                and isinstance(node.func.value, ast.Name) and node.func.value.id == "TEXT":
            for arg in node.args:
                literal_keys(arg)
    return keys


def test_no_text_is_defined_twice():
    keys = _definitions()
    assert len(set(keys)) > 0.9 * len(labels.TEXT)  # the parse found the definitions
    twice = sorted(k for k, n in Counter(keys).items() if n > 1)
    assert not twice, f"defined more than once in labels.py: {twice}"
