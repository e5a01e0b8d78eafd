"""A large import in two processes: a child reads, validates and builds the finished rows while
this process, which holds the write transaction, chains the events and inserts the rows.

One process spends about two thirds of an import's time reading, checking and building rows
(deadlines, masking, the event's JSON and digest, the columns' stored text) and the rest in the
database's inserts; on two cores the two halves overlap. Under its writers' lock the parent reads
what the child needs from the database: the next free ids and the staff. The child counts ids on
from there and finds duplicates among the cases stored before the import (through a read connection of its own, which sees only committed
rows) and among the file's own earlier cases (which it remembers, as the parent's uncommitted rows
are not visible to it). The parent chains each batch's events (audit.chained) on the head it read
under the lock, as it inserts them: hashing is work it can take from the child, which it would
otherwise wait on (100,000 rows: the child's CPU 4.45 s to 4.15-4.25 s). Batches, rejects and their order are
those of the one-process path (importer.read_batches and importer.build_batch serve both), so what
is stored and reported is the same byte for byte.

Nothing here commits: the parent's transaction is the import's one transaction, so a killed
import leaves the database as it was (the child dies on the broken pipe). A small file, a platform
without fork, or a child that fails for any reason but the file's own errors, takes the
one-process path (a failure part-way rolls back and starts again in one process).
"""
from __future__ import annotations

import gc
import multiprocessing
import os
import signal
import sys
import traceback
from pathlib import Path
from typing import Callable, NamedTuple

from sqlalchemy import func, select

from . import audit, business_days, personal
from .errors import ComplaintctlError
from .models import Case, Cycle, Event, PersonalData

# Below this many rows (estimated from the file's size) one process is quicker: starting the
# second costs about as much as a few thousand rows.
PIPE_ROWS = 5000
_TABLES = {t.name: t for t in (Case.__table__, Cycle.__table__, Event.__table__, PersonalData.__table__)}


class Steps(NamedTuple):
    """The import's own steps, as importer.py hands them over (this module imports nothing of it:
    the two import each other without a cycle)."""

    read: Callable  # importer.read_batches
    unseen: Callable  # a batch less the cases already stored (importer's duplicate check)
    build: Callable  # importer.build_batch
    stored: Callable  # importer.stored_lookup
    result: Callable  # a fresh ImportResult


class ChildFailed(Exception):
    """The second process stopped without finishing (not for an error of the file's): the import
    is rolled back and done again in one process."""


def estimated_rows(path: Path, sample: int = 1 << 18) -> float:
    """The file's rows, from the lines in its first `sample` bytes."""
    size = path.stat().st_size
    with path.open("rb") as fh:
        head = fh.read(sample)
    if not head:
        return 0
    return head.count(b"\n") * size / len(head)


def worth_it(path: Path) -> bool:
    """Whether a second process pays for itself: a large file, on a platform that forks."""
    return "fork" in multiprocessing.get_all_start_methods() and estimated_rows(path) >= PIPE_ROWS


def run(steps: Steps, uow, ctx, path: Path, header: list[str], mapping, staff: dict, result, skip_invalid: bool,
        encoding: str, progress, source: str, keep_records: bool) -> None:
    """The import's rows inserted as the child sends them, into tables whose indexes stay (unlike
    the one-process path, which sets them aside for a large import and builds them again at the
    end): keeping the indexes up to date costs it time it would otherwise spend waiting on the
    child (100,000 rows, measured when the child took 5.2-5.4 s: this process's CPU 2.0 s to
    3.6-3.9 s), where building them afterwards cost 0.8-1.0 s of wall time. Raises the file's own
    errors as the one-process path does, and ChildFailed for anything else the child met (`keep_records`: the rejects' rows are written to a file).
    Long because the parent's whole side is one loop over the child's messages, each kind taken in turn."""
    conn = uow.session.connection()
    adapter = uow.store.adapter
    start = (adapter.next_id(conn, Case.__table__), adapter.next_id(conn, Event.__table__))
    head, recorded = audit.head_hash(uow), audit.hash_time(ctx.now)
    earliest = None
    events_table, personal_table = Event.__table__, PersonalData.__table__
    stored = conn.execute(select(func.count()).select_from(Case.__table__)).scalar_one()
    fork = multiprocessing.get_context("fork")
    inbox, outbox = fork.Pipe(duplex=False)
    sys.stdout.flush()
    sys.stderr.flush()  # nothing buffered is written twice by the child
    child = fork.Process(target=_child, name="complaintctl-import-reader", daemon=True,
                         args=(steps, inbox, outbox, uow.store, ctx, path, header, mapping, staff, skip_invalid,
                               encoding, source, start, stored > 0, keep_records))
    child.start()
    outbox.close()
    finished = False
    # The batches unpickled here hold no cycles either (they go by reference counting once
    # inserted), and the collector they set off cost this process a sixth of its CPU at 100,000
    # rows: it is left off until the last batch is in.
    collecting = gc.isenabled()
    gc.disable()
    try:
        while True:
            try:
                message = inbox.recv()
            except EOFError:
                child.join(5)
                raise ChildFailed(f"the reading process ended (exit {child.exitcode})") from None
            kind = message[0]
            if kind == "batch":
                _, rows, rejects, cases, imported, tables, events, kept, first, case_top, event_top = message
                for reject in rejects:
                    result.reject(*reject)
                for name, names, prepared in tables:
                    adapter.insert_rows(conn, _TABLES[name], names, prepared)
                # This process chains the events, on the head it read under the writers' lock.
                chained, head = audit.chained(head, *events, recorded)
                if chained:
                    adapter.insert_rows(conn, events_table, audit.CHAINED_COLUMNS, chained)
                if kept:
                    adapter.insert_rows(conn, personal_table, personal.COLUMNS, kept)
                if first is not None and (earliest is None or first < earliest):
                    # History older than the calendar's table: widened back to it now, while the
                    # child builds (the import does so again at the end, with nothing left to do).
                    earliest = first
                    business_days.reach_back(conn, ctx.calendar, first, ctx.now)
                if case_top >= start[0]:
                    adapter.ids_taken(conn, Case.__table__, case_top)
                if event_top >= start[1]:
                    adapter.ids_taken(conn, Event.__table__, event_top)
                result.rows = rows
                result.cases += cases
                result.imported += imported
                if progress:
                    progress(rows)
            elif kind == "rejects":
                for reject in message[2]:
                    result.reject(*reject)
                result.rows = message[1]
            elif kind == "done":
                _, rows, rejects = message
                for reject in rejects:
                    result.reject(*reject)
                result.rows = rows
                uow.last_hash = head
                finished = True
                break
            elif kind == "error":  # the file's own (an unreadable encoding, broken CSV): as one process raises it
                _, cls, args, attributes = message
                error = cls.__new__(cls)
                error.args = args
                error.__dict__.update(attributes)
                raise error
            else:
                raise ChildFailed(message[1])
    finally:
        if collecting:
            gc.enable()
        inbox.close()  # a child still sending gets a broken pipe and ends
        if not finished:
            child.terminate()
        child.join(30)
        if child.is_alive():
            child.kill()
            child.join()


def _child(steps: Steps, inbox, outbox, store, ctx, path: Path, header: list[str], mapping, staff: dict,
           skip_invalid: bool, encoding: str, source: str, start: tuple[int, int], look_up: bool,
           keep_records: bool) -> None:
    """The second process: read, validate, find duplicates, build each batch's rows as the insert
    takes them, and send them, with the rejects, in the order one process would have met them.
    Long because what the child keeps across batches (ids, the file's own cases) is shared by the
    closures that the import's steps call back."""
    # The rows built here hold no cycles (they go by reference counting, batch by batch), so the
    # cyclic collector, which a million new dicts and tuples set off again and again, only costs
    # time: about a sixth of this process's CPU at 100,000 rows; its memory stays flat without it.
    gc.disable()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # the parent's terminate() ends it there and then
    # Only the parent reads: when it dies, the next send fails and this process ends with it (it
    # holds the parent's database connection open, inherited, until then).
    inbox.close()
    conn = None
    try:
        from .cycles import Openings

        dialect = store.engine.dialect
        if look_up:
            store.engine.dispose(close=False)  # the parent's connections stay the parent's
            conn = store.engine.connect()
            in_database = steps.stored(conn)
        else:
            in_database = None
        result = steps.result()
        result.lang = mapping.lang  # the reasons in the operator's language, as the parent writes them
        pending: list[tuple] = []

        def reject(number: int, field_name: str, reason: str, record: list[str], faults: tuple = ()) -> None:
            result.rejected += 1
            pending.append((number, field_name, reason, record if keep_records else None, faults))
            if len(pending) >= 2000:
                outbox.send(("rejects", result.rows, pending[:]))
                pending.clear()

        result.reject = reject
        # The file's own cases so far: external id -> reference, and (for the tool's export, whose
        # references keep their numbers) id -> reference. The parent's rows are not committed.
        externals: dict[str, str] = {}
        numbers: dict[int, str] = {}
        track_numbers = "reference" in mapping.given

        def stored(ids: set, wanted: set) -> tuple[dict, dict]:
            known, taken = in_database(ids, wanted) if in_database is not None else ({}, {})
            for e in ids:
                if e in externals:
                    known[e] = externals[e]
            for n in wanted:
                if n in numbers:
                    taken[n] = numbers[n]
            return known, taken

        tops = {Case.__table__.name: start[0] - 1, Event.__table__.name: start[1] - 1}

        def reserve(table, n: int, above: int = 0) -> range:
            top = max(tops[table.name], above)
            tops[table.name] = top + n
            return range(top + 1, top + n + 1)

        openings = Openings(ctx.calendar)

        def emit(batch: list, expected: float) -> None:
            kept = steps.unseen(stored, batch, result)
            built = steps.build(ctx, openings, kept, source, reserve, dialect)
            for id_, reference, external_id in built.cases:
                if external_id:
                    externals[external_id] = reference
                if track_numbers:
                    numbers[id_] = reference
            outbox.send(("batch", result.rows, pending[:], len(kept), built.imported,
                         [(table.name, names, rows) for table, names, rows in built.tables], built.events,
                         built.personal, built.earliest, tops[Case.__table__.name], tops[Event.__table__.name]))
            pending.clear()

        steps.read(path, header, mapping, ctx, staff, result, skip_invalid, encoding, emit)
        outbox.send(("done", result.rows, pending))
    except ComplaintctlError as exc:
        _last_word(outbox, ("error", type(exc), exc.args, exc.__dict__))
    except BaseException:  # noqa: BLE001 - whatever it was, the parent does the import alone
        _last_word(outbox, ("failed", traceback.format_exc(limit=-3)))
    finally:
        if conn is not None:
            try:
                conn.close()
            except Exception:  # noqa: BLE001 - ending anyway
                pass
        outbox.close()
        os._exit(0)  # nothing of the parent's (its connection, its buffers) is closed or flushed here


def _last_word(outbox, message) -> None:
    try:
        outbox.send(message)
    except OSError:
        pass  # the parent is gone (killed, or stopped reading): nothing to tell
