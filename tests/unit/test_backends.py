"""What differs between SQLite and PostgreSQL lives in db.py's adapters: no other module of the
library or the CLI chooses by the backend (prose in docstrings and help may still name one)."""
from __future__ import annotations

import ast
import io
import re
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# cli/state.py reads a URL's scheme to find the database file without loading SQLAlchemy (speed).
# complaintctl/stored.py and complaintctl/dbapi.py are db.py's parts without SQLAlchemy (stored values;
# the lean report overdue's readers), and complaintctl/sqltext_compiled.py is each backend's SQL text.
# complaintctl/export_split.py is the SQLite adapter's second process for a large export (both ways
# call it from their SQLite readers).
EXEMPT = {"complaintctl/db.py", "cli/state.py", "complaintctl/stored.py", "complaintctl/dbapi.py",
          "complaintctl/sqltext_compiled.py", "complaintctl/export_split.py"}
CODE_NAMES = re.compile(r"sqlite|postgres|pragma", re.IGNORECASE)  # in identifiers: sqlite3, psycopg's names
BACKEND_STRING = re.compile(r"^(sqlite|postgresql)([+:]|$)|\bPRAGMA\b")  # "sqlite", "postgresql+psycopg://", SQL


def _specifics(source: str) -> list[tuple[int, str]]:
    out = []
    tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    for i, tok in enumerate(tokens):
        if tok.type == tokenize.NAME:
            after = tokens[i + 1].string if i + 1 < len(tokens) else ""
            following = tokens[i + 2].string if i + 2 < len(tokens) else ""
            if CODE_NAMES.search(tok.string) or (tok.string == "dialect" and (
                    (after == "." and following == "name") or after in ("==", "!=", "in"))):
                out.append((tok.start[0], tok.line.strip()))
        elif tok.type == tokenize.STRING:
            try:
                value = ast.literal_eval(tok.string)
            except (ValueError, SyntaxError):
                continue
            if isinstance(value, str) and BACKEND_STRING.search(value):
                out.append((tok.start[0], tok.line.strip()))
    return out


def test_no_module_but_db_chooses_by_the_backend():
    found = []
    for folder in ("complaintctl", "cli"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            if rel not in EXEMPT:
                found += [f"{rel}:{n}: {line}" for n, line in _specifics(path.read_text(encoding="utf-8"))]
    assert not found, "backend specifics outside db.py's adapters:\n" + "\n".join(found)


def test_the_check_sees_what_it_is_for():
    assert sorted({n for n, _ in _specifics('if store.dialect == "sqlite":\n    import sqlite3\n')}) == [1, 2]
    assert _specifics('x = conn.execute(text("PRAGMA integrity_check"))\n')
    assert _specifics('ok = dialect.name != "x"\n')
    assert not _specifics('"""Who runs it: the OS account on SQLite, session_user on PostgreSQL."""\n')


def test_the_sqlite_adapter_gives_its_engine_the_fast_time_writer(tmp_path):
    from complaintctl.db import Store, sqlite_time_text
    from complaintctl.models import UTCDateTime

    store = Store(str(tmp_path / "t.db"))
    try:
        dialect = store.engine.dialect
        assert UTCDateTime().dialect_impl(dialect).bind_processor(dialect) is sqlite_time_text
    finally:
        store.dispose()


def test_a_sqlite_database_does_not_load_the_postgresql_dialect(tmp_path):
    """Naming a PostgreSQL option loads SQLAlchemy's PostgreSQL dialect (45 ms of every SQLite
    command's start-up): the lookup index's PostgreSQL condition is declared only for PostgreSQL."""
    import subprocess
    import sys

    probe = ("import sys; from complaintctl.db import Store; s = Store(sys.argv[1]); s.ensure_schema(); "
             "print(sorted(m for m in sys.modules if m.startswith('sqlalchemy.dialects.postgresql')))")
    db = str(tmp_path / "x.db")
    subprocess.run([sys.executable, "-c", probe, db], capture_output=True, check=True)  # creates it (migrations may load it)
    out = subprocess.run([sys.executable, "-c", probe, db], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
    from sqlalchemy.dialects import postgresql
    from sqlalchemy.schema import CreateIndex

    from complaintctl.db import LOOKUP_INDEX, declare_for

    declare_for("postgresql")
    assert str(CreateIndex(LOOKUP_INDEX).compile(dialect=postgresql.dialect())).endswith(
        "WHERE field IN ('customer', 'phone', 'account', 'id_number')")
