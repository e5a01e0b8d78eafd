"""A large import runs in two processes (complaintctl.importer_pipe): a child reads and builds the
rows, the parent inserts them. Here every file takes that path (its threshold set to 0), and the
batches are made small, so that what crosses a batch is crossed: the stored result (the golden
test's dump), the tool's export read back, the rejects and their order, and a child that fails."""
import csv

import pytest

from complaintctl import importer, importer_pipe

from .test_import_export import (  # noqa: F401
    test_a_row_wrong_in_several_fields_is_listed_with_every_one, test_an_import_says_why_in_the_operator_s_language)
from .test_import_golden import test_an_import_stores_what_it_stored_before_its_speed_work  # noqa: F401
from .test_round_trip import (  # noqa: F401
    history_export, test_the_unmasked_export_imports_into_a_fresh_database_and_exports_again_the_same)


@pytest.fixture(autouse=True)
def every_file_in_two_processes(monkeypatch):
    monkeypatch.setattr(importer_pipe, "PIPE_ROWS", 0)
    monkeypatch.setattr(importer, "BATCH", 3)


def _csv(path, rows):
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    return path


def _duplicates(tmp_path):
    rows = [["received_at", "description", "external_id", "phone"]]
    for i in range(10):  # A-1 again within its batch (row 3) and in later batches (rows 6, 10)
        rows.append([f"2026-03-02T1{i % 10}:00", f"complaint {i}", ["A-1", "A-2", "A-1", "A-4", "A-5", "A-1", "A-7",
                                                                   "A-8", "", "A-2"][i], f"1381234567{i}"])
    rows.append(["not a date", "bad", "B-1", ""])
    return _csv(tmp_path / "dup.csv", rows)


def test_two_processes_find_duplicates_within_and_across_batches_as_one_does(cli, tmp_path):
    cli.staff()
    f = _duplicates(tmp_path)
    out = cli.json("import", str(f), "--skip-invalid", "--json")
    assert (out["imported"], out["rejected"], out["committed"]) == (7, 4, True)
    assert [(r["row"], r["field"], r["reason"]) for r in out["rejects"]] == [
        (3, "external_id", "the same as row 1: external ids are unique"),  # in its batch
        (6, "external_id", "already imported (case C-2026-000001): external ids are unique"),  # in an earlier one
        (10, "external_id", "already imported (case C-2026-000002): external ids are unique"),
        (11, "received_at", "invalid received_at 'not a date': expected a date in the form ISO 8601 (or give "
                            "--date-format)")]
    rejects = list(csv.DictReader(f.with_name("dup.rejects.csv").open(encoding="utf-8")))
    assert [r["row"] for r in rejects] == ["3", "6", "11", "10"]  # as found: row 10 is the last batch's
    assert cli.sql("select id, reference from cases order by id")[-1] == (7, "C-2026-000007")
    again = cli.json("import", str(f), "--skip-invalid", "--json")  # every case with an external id is already there
    assert (again["imported"], again["rejected"]) == (1, 10)  # row 9 has no external id: a new case
    assert cli("db", "check").exit_code == 0


def test_a_file_that_is_not_csv_is_reported_as_by_one_process(cli, tmp_path):
    f = tmp_path / "bad.csv"
    f.write_bytes(b"received_at,description\n2026-03-02T10:00,\xff\xfe\n")  # not UTF-8
    r = cli("import", str(f), expect=2)
    assert "text in utf-8-sig (give --encoding, e.g. gb18030)" in r.stderr
    assert cli.scalar("select count(*) from cases") == 0


def test_a_child_that_fails_leaves_the_import_to_one_process(cli, tmp_path, monkeypatch):
    cli.staff()

    real = importer.build_batch
    parent = __import__("os").getpid()

    def build_batch(*args, **kwargs):
        if __import__("os").getpid() != parent:
            raise RuntimeError("the child could not build its rows")
        return real(*args, **kwargs)

    monkeypatch.setattr(importer, "build_batch", build_batch)
    f = _duplicates(tmp_path)
    out = cli.json("import", str(f), "--skip-invalid", "--json")
    assert out["imported"] == 7 and out["rejected"] == 4 and out["committed"]
    rejects = list(csv.DictReader(f.with_name("dup.rejects.csv").open(encoding="utf-8")))
    assert sorted(int(r["row"]) for r in rejects) == [3, 6, 10, 11]  # written once, not again after the fallback
    assert cli("db", "check").exit_code == 0


def test_two_processes_keep_the_indexes_as_they_insert(cli, tmp_path, monkeypatch):
    """The parent keeps every index up to date while it waits on the child (importer_pipe.run),
    where one process sets them aside for a large import: the register ends with the same indexes
    either way, and the rows are found through them."""
    if cli.backend != "sqlite":
        pytest.skip("PostgreSQL's indexes are never set aside")
    cli.staff()
    listed = "select name from sqlite_master where type = 'index' and name like 'ix_%' order by name"
    before = cli.sql(listed)
    set_aside = []
    monkeypatch.setattr(importer, "_set_aside", lambda *a: set_aside.append(a) or (lambda: None))
    rows = [["received_at", "description", "branch"]] + [[f"2026-03-0{2 + i % 3}T10:00", f"complaint {i}", "BR002"]
                                                          for i in range(8)]
    assert cli.json("import", str(_csv(tmp_path / "many.csv", rows)), "--json")["imported"] == 8
    assert set_aside == [] and cli.sql(listed) == before and len(before) >= 10
    assert cli.scalar("select count(*) from cases indexed by ix_cases_branch where branch = 'BR002'") == 8
    assert cli("db", "check").exit_code == 0


def test_history_reaches_the_calendar_back_as_its_batches_arrive(cli, tmp_path, monkeypatch):
    """The inserting process widens the calendar's table back to each batch's earliest receipt as
    the batch arrives (the child meanwhile builds the next): a later batch older still widens it
    further, and what the import does at the end finds nothing left to do."""
    from complaintctl import business_days

    cli("list")
    first = cli.scalar("SELECT first_year FROM business_calendar")  # (a database kept between tests
    older, oldest = first - 1, first - 2  # may reach further back than this year)
    widened = []
    real = business_days.ensure
    monkeypatch.setattr(business_days, "ensure", lambda conn, cal, year, last: widened.append(year) or
                        real(conn, cal, year, last))
    f = _csv(tmp_path / "old.csv", [["received_at", "description", "channel"],
                                     *[[f"{older}-0{m}-03T10:00", f"complaint {m}", "hotline"] for m in range(1, 4)],
                                     *[[f"{oldest}-0{m}-03T10:00", f"older {m}", "letter"] for m in range(1, 4)],
                                     [f"{older}-06-01T10:00", "between", "letter"]])
    out = cli.json("import", str(f), "--json")
    assert (out["imported"], out["committed"]) == (7, True)
    assert widened == [older, oldest]  # the first batch, then the second: none at the end
    assert cli.scalar("SELECT first_year FROM business_calendar") == oldest
    assert cli.scalar(f"SELECT count(*) FROM overdue_cases WHERE reference LIKE 'C-{oldest}-%'") == 3
    assert cli("db", "check").exit_code == 0
