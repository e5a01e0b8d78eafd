"""`export --format csv` on SQLite on two cores: the export's finished lines (db.py's
_SQLite.export_csv_sql) made by this process and a second one, chunk by chunk of case ids in turn,
and written in order.

Why: SQLite making the finished lines is the export's cost (about 13 µs a row on the benchmark's
machine: 68 cells, 23 of them times shown in the business zone); fetching and writing them costs
Python a little more than 1 µs. One connection computes on one core; two processes halve the wall
time when the second core is free (and gain nothing when it is not). Threads do not: two
connections in one process contend on SQLite's own allocator lock (measured: the same wall time
for twice the CPU).

The second process starts afresh (the same interpreter, `-P`, running this module's main), not by
fork: a SQLite connection must not be carried across fork, and SQLite keeps its file locks per
process. It reads its job from stdin (the database's path, the statement, its parameters, the zone,
its chunks), opens the file read-only, and writes to stdout a mark of what it reads, then each
chunk's lines in order. No SQLAlchemy on either
side; no personal data leaves the two processes but through the export itself (the pipe is theirs).

One snapshot: each process reads in its own read transaction. Every change the tool makes to a case
or a cycle writes its event in the same transaction, so two transactions that see the same head of
the audit trail (and the same schema and the same calendar, by which times are shown) see the same
rows. If the marks differ (a change committed between the two transactions' starts), or the second
process fails in any way, this process makes the remaining chunks itself: what is written is always
this process's snapshot.

Not on PostgreSQL: there the server makes the rows, and the command's one COPY already runs at
186,000-211,000 rows/s at a million cases on this machine (4.74-5.37 s). Two sessions sharing one snapshot
(pg_export_snapshot, SET TRANSACTION SNAPSHOT), each copying its chunks, were built and measured:
6.49 s at a million cases and 0.85 s against 0.72 s at 100,000 (a query a chunk, each planned,
some with parallel workers of its own), so they were not kept.

Memory: a chunk is CHUNK_IDS case ids (about 2 MB of lines); the second process is never more
than a chunk ahead (the pipe's backpressure).
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import IO, Callable, Iterator

from .stored import driver_error

# Below this many cases one process is quicker: starting the second costs about 40 ms, the time of
# some 3,000 rows. COMPLAINTCTL_EXPORT_SPLIT sets another threshold (a number of cases) or keeps
# the export to one process ("off"), for a comparison or a test.
SPLIT_CASES = 20_000
CHUNK_IDS = 4096
MAX_CHUNKS = 4096
FETCH = 2000
_ORDER = " ORDER BY c.id, y.number"  # where the export's cases are ordered, right after its window
_JOINED = " LEFT JOIN cycles y ON y.case_id = c.id"  # what comes before it when there is no window
# What a SQLite read transaction sees, as far as the export is concerned (see the module's
# docstring): cases, cycles and personal_data through the audit trail's head (every change to them
# writes its event in the same transaction), the tables times are shown by (zone_offsets whole: a
# few dozen rows; business_calendar's years), and the schema. MARKED: the tables the export's
# statements read, which tests/cli/test_export_copy.py checks against the compiled statements.
MARK_SQL = ("SELECT (SELECT max(id) FROM events), (SELECT hash FROM events ORDER BY id DESC LIMIT 1), "
            "(SELECT schema_version FROM pragma_schema_version()), "
            "(SELECT identity || ' ' || first_year || ' ' || last_year FROM business_calendar), "
            "(SELECT group_concat(starts_at || ' ' || offset_seconds || ' ' || suffix, ',') "
            "FROM (SELECT * FROM zone_offsets ORDER BY starts_at))")
MARKED = frozenset({"cases", "cycles", "personal_data", "business_calendar", "zone_offsets"})
# The second process: the safe path (-P: neither the working folder nor a script's folder first on
# sys.path, where a file named like a module would run), this package's folder after the standard
# library and before site-packages (a checkout run in place, or another revision, runs its own code).
_BOOT = ("import sys; here = sys.argv[1]; "
         "at = next((i for i, p in enumerate(sys.path) if p.endswith('-packages')), len(sys.path)); "
         "sys.path.insert(at, here); from complaintctl.export_split import main; main()")
# How long the second process waits for a lock: its work is optional (this process makes the chunks
# it cannot), and on a rollback-journal file a writer waiting to commit would otherwise hold it, and
# so this process, for the whole busy timeout.
CHILD_TIMEOUT = 0.5
MARK_WAIT = 10.0  # seconds: the second process starts an interpreter and opens the file
CHUNK_WAIT = 10.0  # seconds for a chunk (about 30 ms of work): a stalled process is not waited for
MAX_CHUNK_BYTES = 64 << 20  # 4,096 cases of ordinary text are 2 MB; a longer chunk is made here instead


def _pieces(sql: str) -> tuple[str, str, str] | None:
    """The export statement cut around its window of receipt: (before, the window's condition or
    '', from the cases' order on); None for a statement of any other shape."""
    from .stored import WINDOW_WHERE, window_where

    sql = sql.replace(WINDOW_WHERE, "")  # an export of every case: no window written in
    head, order, tail = sql.rpartition(_ORDER)
    if not order:
        return None
    for start, end in ((True, True), (True, False), (False, True)):
        window = window_where("named", start, end)
        if head.endswith(window):
            return head[:-len(window)], window, order + tail
    return (head, "", order + tail) if head.endswith(_JOINED) else None


def bounded(sql: str) -> str | None:
    """The export statement for the cases whose id is in [:ids_from, :ids_to); None if it has not
    the export's shape."""
    pieces = _pieces(sql)
    return None if pieces is None else _bounded(*pieces)


def _bounded(head: str, window: str, tail: str) -> str:
    return f"{head}{window}{' AND ' if window else ' WHERE '}c.id >= :ids_from AND c.id < :ids_to{tail}"


def _threshold() -> float:
    """COMPLAINTCTL_EXPORT_SPLIT: off (stored.switched_off), a number of cases from which to split,
    or (unset, anything else) SPLIT_CASES."""
    from .stored import switched_off

    if switched_off("COMPLAINTCTL_EXPORT_SPLIT"):
        return float("inf")
    setting = os.environ.get("COMPLAINTCTL_EXPORT_SPLIT", "")
    return int(setting) if setting.isascii() and setting.isdigit() else SPLIT_CASES


def chunks(low: int, high: int) -> list[tuple[int, int]]:
    """The ids from `low` to `high` (both in) in ranges of CHUNK_IDS (fewer ids when the span is
    short, so that even a small export has chunks for both processes; more when it is so wide that
    there would be over MAX_CHUNKS: a stray huge id), as [from, to)."""
    span = high - low + 1
    size = max(min(CHUNK_IDS, max(16, span // 16)), -(-span // MAX_CHUNKS))
    return [(start, min(start + size, high + 1)) for start in range(low, high + 1, size)]


def _plan(con, sql: str, params: dict) -> tuple[str, list] | None:
    """(the statement bounded by case ids, its chunks) when the export is worth two processes; None
    otherwise."""
    pieces = _pieces(sql)
    if pieces is None:
        return None
    if con.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
        # A rollback-journal file (a restored backup, until a command that writes opens it): a writer
        # waiting to commit would keep the second process from starting to read while this one holds
        # its read, and each would wait for the other.
        return None
    low, high, count = con.execute(f"SELECT min(c.id), max(c.id), count(*) FROM cases c{pieces[1]}",
                                   params).fetchone()
    if not count or count < _threshold():
        return None
    return _bounded(*pieces), chunks(low, high)


def _blocks(con, sql: str, params: dict, end: str) -> Iterator[tuple[int, bytes]]:
    # The cursor is left to its connection: a stream left unfinished (a reader who closed the
    # pipe) is closed after the connection, when closing the cursor itself would raise.
    try:
        cursor = con.execute(sql, params)
        while rows := cursor.fetchmany(FETCH):
            yield len(rows), (end.join([row[0] for row in rows]) + end).encode("utf-8")
    except Exception as exc:  # (the sqlite3 module's errors: this module does not import it)
        ours = driver_error(exc)
        if ours is None:
            raise
        raise ours from None


def _chunk(con, sql: str, params: dict, end: str) -> tuple[int, bytes]:
    """One chunk's lines as one block."""
    n, parts = 0, []
    for rows, block in _blocks(con, sql, params, end):
        n += rows
        parts.append(block)
    return n, b"".join(parts)


def mark(con) -> list:
    return list(con.execute(MARK_SQL).fetchone())


def lines(con, path: Path | None, sql: str, params: dict, zone: str, end: str) -> Iterator[tuple[int, bytes]]:
    """The finished lines of the export statement `sql` (windowed; named parameters `params`) on
    the sqlite3 connection `con`, inside its read transaction, in blocks of whole rows (rows,
    UTF-8 bytes), each line ending `end`: made in two processes when the export is large enough
    and the database is a file, by `con` alone otherwise; the same bytes either way. The chunks
    in order: the even ones made here, the odd ones taken from the second process, or made here
    from the first it cannot give (another snapshot, a failure)."""
    plan = _plan(con, sql, params) if path is not None else None
    if plan is None:
        yield from _blocks(con, sql, params, end)
        return
    split, ranges = plan
    child = None
    try:
        child = _Child.start(path, split, params, zone, end, ranges[1::2], lambda: mark(con))
        for i, (start, stop) in enumerate(ranges):
            if i % 2 and child is not None:
                got = child.take()
                if got is not None:
                    yield got
                    continue
                child = child.stop()
            yield from _blocks(con, split, {**params, "ids_from": start, "ids_to": stop}, end)
    finally:
        if child is not None:
            child.stop()


class _Child:
    """The second process, seen from this one."""

    def __init__(self, proc, own_mark: Callable[[], list]):
        self.proc, self.own_mark, self.trusted = proc, own_mark, False
        self.fd, self.buf = proc.stdout.fileno(), bytearray()

    @classmethod
    def start(cls, path: Path, sql: str, params: dict, zone: str, end: str, ranges: list[tuple[int, int]],
              own_mark: Callable[[], list]) -> "_Child | None":
        """The second process, given its job; None if it cannot be started (this process then
        makes every chunk)."""
        import subprocess  # only for an export large enough to need it

        try:
            job = json.dumps({"path": str(path), "sql": sql, "params": params, "zone": zone, "end": end,
                              "ranges": ranges}).encode("utf-8")
            proc = subprocess.Popen([sys.executable, "-P", "-c", _BOOT, str(Path(__file__).resolve().parent.parent)],
                                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, bufsize=0)
        except (OSError, TypeError, ValueError):
            return None
        child = cls(proc, own_mark)
        try:
            proc.stdin.write(job)
            proc.stdin.close()
        except OSError:
            return child.stop()
        except BaseException:  # Ctrl-C while the job is handed over: the process goes with it
            child.stop()
            raise
        return child

    def _more(self, until: float) -> bool:
        """More of the second process's output into the buffer, if any comes before `until`."""
        import select
        import time

        left = until - time.monotonic()
        if left <= 0 or not select.select([self.fd], [], [], left)[0]:
            return False
        data = os.read(self.fd, 1 << 20)
        self.buf += data
        return bool(data)

    def _line(self, limit: int, until: float) -> bytes | None:
        while (end := self.buf.find(b"\n")) < 0:
            if len(self.buf) > limit or not self._more(until):
                return None
        line = bytes(self.buf[:end])
        del self.buf[:end + 1]
        return line

    def _exact(self, size: int, until: float) -> bytes | None:
        while len(self.buf) < size:
            if not self._more(until):
                return None
        data = bytes(self.buf[:size])
        del self.buf[:size]
        return data

    def take(self) -> tuple[int, bytes] | None:
        """The next chunk's (rows, bytes); None if the second process read another snapshot (its
        first chunk is where that is asked), stopped short, stalled (its mark not within
        MARK_WAIT seconds, a chunk not within CHUNK_WAIT), or said anything but a chunk."""
        import time

        try:
            if not self.trusted:
                line = self._line(1 << 16, time.monotonic() + MARK_WAIT)
                self.trusted = line is not None and json.loads(line) == self.own_mark()
                if not self.trusted:
                    return None
            until = time.monotonic() + CHUNK_WAIT
            head = (self._line(64, until) or b"").split()
            if len(head) != 2 or not all(part.isascii() and part.isdigit() for part in head):
                return None
            rows, size = int(head[0]), int(head[1])
            if size > MAX_CHUNK_BYTES:
                return None
            data = self._exact(size, until)
            return None if data is None else (rows, data)
        except Exception:  # noqa: BLE001 - whatever went wrong there, this process makes the chunk
            return None

    def stop(self) -> None:
        """Ends the second process (finished or not); None, to put in its place."""
        if self.proc.poll() is None:
            self.proc.kill()
        for pipe in (self.proc.stdin, self.proc.stdout):
            try:
                pipe.close()
            except OSError:
                pass
        self.proc.wait()
        return None


def _serve(job: dict, out: IO[bytes]) -> None:
    """The second process: its read transaction's mark, then each of its chunks as a line
    'rows bytes' and the bytes."""
    import sqlite3
    from urllib.parse import quote
    from zoneinfo import ZoneInfo

    from .stored import register_time_text

    # Read only: nothing to write, and a file gone meanwhile (a restore) is not made again, empty.
    con = sqlite3.connect(f"file:{quote(str(Path(job['path']).resolve()))}?mode=ro", uri=True,
                          timeout=CHILD_TIMEOUT, isolation_level=None)
    register_time_text(con, ZoneInfo(job["zone"]))
    con.execute("BEGIN")
    out.write((json.dumps(mark(con)) + "\n").encode("utf-8"))
    out.flush()
    for start, stop in job["ranges"]:
        rows, data = _chunk(con, job["sql"], {**job["params"], "ids_from": start, "ids_to": stop}, job["end"])
        out.write(b"%d %d\n" % (rows, len(data)))
        out.write(data)
        out.flush()
    con.close()


def main() -> None:
    """The second process's entry (_BOOT runs it)."""
    try:
        _serve(json.loads(sys.stdin.buffer.read()), sys.stdout.buffer)
    except BrokenPipeError:
        pass  # this process's side stopped early, or made the chunks itself
