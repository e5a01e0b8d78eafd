"""Anchors: the chain's head kept outside the database catches what the chain alone cannot
(truncation, and a consistent rewrite with the tool's own hashing)."""
import datetime as dt

import pytest

from complaintctl import audit


def _utc(value):
    """A stored time (text on SQLite, naive on PostgreSQL) as the aware UTC time the tool hashes."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value.replace(tzinfo=dt.timezone.utc)


@pytest.fixture
def anchored(cli, tmp_path):
    """Four cases with some history, anchored; returns the anchors file."""
    cli.staff()
    refs = [cli.log(received=f"2026-03-0{i}T10:00") for i in range(2, 6)]
    cli("assign", refs[0], "--to", "wangfang", "--at", "2026-03-02T11:00")
    cli("note", refs[1], "跟进客户", "--at", "2026-03-03T12:00")
    anchors = tmp_path / "anchors.txt"
    cli("db", "anchor", str(anchors))
    return anchors


def test_anchor_prints_the_chain_head_as_one_line(cli, anchored):
    count, last_id, digest = cli.sql("select count(*), max(id), (select hash from events order by id desc limit 1) from events")[0]
    line = cli("db", "anchor").stdout.strip()
    assert line.startswith(f"complaintctl-anchor v1 events={count} last_id={last_id} hash={digest} at=")
    assert anchored.read_text().startswith(f"complaintctl-anchor v1 events={count} last_id={last_id} hash={digest} ")
    data = cli.json("db", "anchor", "--json")
    assert (data["events"], data["last_id"], data["hash"]) == (count, last_id, digest)


def test_anchor_file_is_appended_and_owner_only(cli, anchored):
    cli.log(received="2026-03-06T10:00")
    cli("db", "anchor", str(anchored))
    lines = anchored.read_text().splitlines()
    assert len(lines) == 2 and lines[0] != lines[1]
    assert oct(anchored.stat().st_mode & 0o777) == "0o600"
    r = cli("db", "check", "--anchors", str(anchored))
    assert "ok: 2 anchor(s) match the chain" in r.stdout


def test_anchor_never_writes_through_a_symlink(cli, tmp_path):
    cli.log()
    target = tmp_path / "victim.txt"
    target.write_text("keep me\n")
    link = tmp_path / "anchors.txt"
    link.symlink_to(target)
    assert "not a symbolic link" in cli.fails("db", "anchor", str(link))
    assert target.read_text() == "keep me\n" and link.is_symlink()


def test_deleting_the_last_event_is_caught_by_an_anchor(cli, anchored):
    assert cli("db", "check").exit_code == 0
    last = cli.scalar("select max(id) from events")
    cli.sql("delete from events where id = :i", i=last)
    assert cli("db", "check").exit_code == 0  # the chain alone cannot tell: what remains is whole
    r = cli("db", "check", "--anchors", str(anchored), expect=1)
    assert f"event {last} no longer exists" in r.stdout


def test_deleting_the_newest_case_with_its_events_is_caught_by_an_anchor(cli, anchored):
    newest = cli.scalar("select max(id) from cases")
    cli.sql("delete from personal_data where case_id = :i", i=newest)
    cli.sql("delete from events where case_id = :i", i=newest)
    cli.sql("delete from cycles where case_id = :i", i=newest)
    cli.sql("delete from cases where id = :i", i=newest)
    r = cli("db", "check", "--anchors", str(anchored), expect=1)
    assert "no longer exists" in r.stdout or "previous-hash link broken" in r.stdout


def test_a_consistent_rewrite_with_the_tools_own_hashing_is_caught_by_an_anchor(cli, anchored):
    """Edit a note, then recompute every later hash with complaintctl's own audit module: the
    chain verifies, but the anchored head no longer matches."""
    cli.sql("update events set detail = '没有跟进' where action = 'note'")
    rows = cli.sql("select id, case_id, action, actor, occurred_at, recorded_at, old, new, detail, full_digest "
                   "from events order by id")
    prev = audit.GENESIS
    for (eid, case_id, action, actor, occurred, recorded, old, new, detail, full) in rows:
        occurred, recorded = (_utc(t) for t in (occurred, recorded))
        digest = audit.event_hash(prev, case_id, action, actor, occurred, recorded, old, new, detail, full)
        cli.sql("update events set prev_hash = :p, hash = :h where id = :i", p=prev, h=digest, i=eid)
        prev = digest
    assert cli("db", "check").exit_code == 0  # the rewrite is consistent: only an anchor can tell
    r = cli("db", "check", "--anchors", str(anchored), expect=1)
    assert "no longer has the anchored hash: the chain up to it was rewritten" in r.stdout


def test_events_added_after_an_anchor_keep_it_valid(cli, anchored):
    cli.log(received="2026-03-06T10:00")
    r = cli("db", "check", "--anchors", str(anchored))
    assert "ok: 1 anchor(s) match the chain" in r.stdout


def test_anchor_problems_are_named_in_chinese(cli, anchored):
    last = cli.scalar("select max(id) from events")
    cli.sql("delete from events where id = :i", i=last)
    r = cli("--lang", "zh", "db", "check", "--anchors", str(anchored), expect=1)
    assert f"事件 {last} 已不存在" in r.stdout


def test_an_anchors_file_must_hold_anchors(cli, tmp_path):
    cli.log()
    bad = tmp_path / "bad.txt"
    bad.write_text("complaintctl-anchor v1 events=x\n")
    r = cli("db", "check", "--anchors", str(bad), expect=1)  # a finding of the check, not a usage error
    assert r.stdout.startswith("line 1 of the anchors file is not a whole anchor") and "ok:" not in r.stdout
    empty = tmp_path / "empty.txt"
    empty.write_text("From: cron\n\n")
    assert "at least one line written by 'complaintctl db anchor'" in cli.fails("db", "check", "--anchors", str(empty))
    assert "an existing file" in cli.fails("db", "check", "--anchors", str(tmp_path / "missing.txt"))


def test_an_anchor_mailed_with_headers_is_read(cli, anchored, tmp_path):
    mail = tmp_path / "mail.txt"
    mail.write_text("From: cron@branch\nSubject: anchor\n\n" + anchored.read_text())
    assert cli("db", "check", "--anchors", str(mail)).exit_code == 0


def test_a_cut_anchor_line_is_reported_and_every_other_anchor_still_checked(cli, anchored):
    """A mail client that folded one anchor's line must not hide what the others show: the cut line
    is one problem, a truncation caught by a whole anchor another."""
    whole = anchored.read_text().strip()
    cli("db", "anchor", str(anchored))
    lines = anchored.read_text().splitlines()
    anchored.write_text(f"{lines[0][:60]}\n{lines[0][60:]}\n{lines[1]}\n")  # the first anchor folded in two
    r = cli("db", "check", "--anchors", str(anchored), expect=1)
    assert "the database and every whole anchor showed no problem" in r.stderr  # not "the database does not hold..."
    assert r.stdout.splitlines() == [
        "line 1 of the anchors file is not a whole anchor (complaintctl-anchor v1 events=N last_id=N hash=HEX "
        "at=TIME, as 'complaintctl db anchor' writes it): cut, folded or edited, so what it anchored cannot be checked"]
    last = cli.scalar("select max(id) from events")
    cli.sql("delete from events where id = :i", i=last)
    found = cli("--lang", "zh", "db", "check", "--anchors", str(anchored), expect=1).stdout
    assert "锚点文件第 1 行不是完整的锚点" in found and f"（第 3 行）：事件 {last} 已不存在" in found
    assert "the database does not hold what its history says" in cli("db", "check", "--anchors", str(anchored),
                                                                      expect=1).stderr
    anchored.write_text(whole + "\n")
    assert cli("db", "check", "--anchors", str(anchored), expect=1).stdout.count("no longer exists") == 1
    anchored.write_text(whole[:-4] + "\n")  # cut inside its time: not whole either
    assert cli("db", "check", "--anchors", str(anchored), expect=1).stdout.startswith("line 1 of the anchors file")
