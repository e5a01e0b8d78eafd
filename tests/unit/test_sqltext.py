"""The lean report's SQL text (complaintctl/sqltext_compiled.py) is what the library's expressions
compile to, on SQLite and on PostgreSQL: a changed clock rule without `python -m complaintctl.sqltext`
fails here."""
from complaintctl import sqltext


def test_the_compiled_sql_is_what_the_expressions_compile_to_on_both_backends():
    assert sqltext.TARGET.read_text(encoding="utf-8") == sqltext.source(), \
        "complaintctl/sqltext_compiled.py is stale: run python -m complaintctl.sqltext"


def test_the_summary_grouped_by_any_dimensions_is_the_statement_the_full_way_builds():
    """report summary's statements grouped by dimensions are compiled once, with summary.DIMS_PLACE
    where the columns go; written in (dbapi.Reader.grouped), they must be, to the character, what
    the full way compiles for each one, two or three dimensions, in each order, on both backends."""
    from itertools import permutations

    from complaintctl import reports, summary
    from complaintctl.dbapi import PARAMSTYLE, dialect

    checked = 0
    for backend in PARAMSTYLE:
        for name in ("counts", "repeat_cases"):
            def text(dims):
                stmt = reports.summary_statement(name, dims)
                return " ".join(str(stmt.compile(dialect=dialect(backend))).split())

            placed = text((summary.DIMS_PLACE,))
            assert summary.DIMS_PLACE in placed
            for n in (1, 2, 3):
                for dims in permutations(summary.DIMENSIONS, n):
                    assert placed.replace(summary.DIMS_PLACE, summary.dimension_columns(dims)) == text(dims), dims
                    checked += 1
    assert checked == 2 * 2 * (5 + 20 + 60)
