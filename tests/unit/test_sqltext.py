"""The lean report's SQL text (complaintctl/sqltext_compiled.py) is what the library's expressions
compile to, on SQLite and on PostgreSQL: a changed clock rule without `python -m complaintctl.sqltext`
fails here."""
from complaintctl import sqltext


def test_the_compiled_sql_is_what_the_expressions_compile_to_on_both_backends():
    assert sqltext.TARGET.read_text(encoding="utf-8") == sqltext.source(), \
        "complaintctl/sqltext_compiled.py is stale: run python -m complaintctl.sqltext"
