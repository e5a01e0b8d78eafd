"""Stopping a command (Ctrl-C, SIGTERM, SIGHUP) without misreporting what it saved.

A stop arriving while a command writes rolls its transaction back, and the command says it was
interrupted (cli/errors.interrupted). A stop arriving after the command's write was committed, while
it prints its result or exits, would say the same of a change that was saved, and an operator would
run it again (a second case logged, a second import). So, once this module is installed (the CLI
installs it for every command but the interactive session):
- a stop that comes during the commit waits for it; from the instant the commit succeeds until the
  next write transaction begins, a stop is ignored, and the command finishes and reports what it
  did (a stop that came during a commit that failed interrupts, as before it);
- a stop during any other work (reading, writing a file, a write not yet committed) raises
  KeyboardInterrupt, which each command's handlers turn into the one line and exit 130, after
  rolling back and removing any half-written file;
- `finished()` holds every stop back for the run's last moments (the interpreter's own shutdown,
  when Python has put back the default handlers and a late SIGTERM would turn a finished run into
  exit 143).
The handler decides by this module's state, not by blocking the signals in one thread: a signal sent
to the process may be taken by any of its threads.
The interactive session installs it for each of its commands (and uninstalls it at the prompt):
a SIGTERM or SIGHUP during a command stops it as above, and then ends the session.
Without install() (the test suite in-process, the session's prompt) nothing changes.
"""
from __future__ import annotations

import signal
import threading
from contextlib import contextmanager
from typing import Iterator

STOPS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))
_state = {"installed": False, "saved": False, "holding": 0, "pending": False, "came": set(), "before": {}}


def _stop(signum, _frame) -> None:
    _state["came"].add(signum)
    if _state["saved"]:
        return  # the command's change is committed: let it finish and say so
    if _state["holding"]:
        _state["pending"] = True  # said when the hold ends
        return
    raise KeyboardInterrupt


def install() -> None:
    """Every stop signal raises KeyboardInterrupt, unless held or what the command wrote is saved
    (the handlers in place before are kept, for uninstall); one that the process was started
    ignoring (`nohup` ignores SIGHUP) stays ignored."""
    before = {number: signal.getsignal(number) for number in STOPS}
    for number in STOPS:
        if before[number] is not signal.SIG_IGN:  # a stop ignored by whoever started us stays ignored (nohup)
            signal.signal(number, _stop)
    _state.update(installed=True, saved=False, holding=0, pending=False, came=set(), before=before)


def uninstall() -> set[int]:
    """The handlers as they were before install (the interactive session between its commands:
    Ctrl-C clears the line, SIGTERM and SIGHUP end it at once); returns the stop signals that came
    meanwhile, every one (a SIGTERM ignored after a commit, then a Ctrl-C, is still a SIGTERM)."""
    for number, handler in _state["before"].items():
        signal.signal(number, handler if handler is not None else signal.SIG_DFL)
    came = _state["came"]
    _state.update(installed=False, saved=False, holding=0, pending=False, came=set(), before={})
    return came


def begin_run() -> None:
    """A command begins (each of the interactive session's, or one run in-process): nothing of it
    is saved yet."""
    _state.update(saved=False, pending=False)


def hold() -> None:
    """Stops wait (until release)."""
    _state["holding"] += 1


def release() -> None:
    """The end of a hold: a stop that came meanwhile interrupts now, unless the change is saved."""
    _state["holding"] -= 1
    if not _state["holding"] and _state["pending"]:
        _state["pending"] = False
        if not _state["saved"] and _state["installed"]:
            raise KeyboardInterrupt


def saved_change() -> bool:
    """Whether this run's change is committed (and no write transaction has begun since)."""
    return _state["saved"]


def writing() -> None:
    """A write transaction begins: a stop interrupts it again."""
    _state["saved"] = False


@contextmanager
def committing() -> Iterator[None]:
    """Around a commit: a stop waits for it, and is ignored once it has succeeded."""
    hold()
    try:
        yield
        _state["saved"] = True  # (recorded installed or not: the wording of a later failure reads it)
    finally:
        release()


def finished() -> None:
    """The run is over: every stop is held back until the process ends."""
    hold()
    if _state["installed"] and threading.current_thread() is threading.main_thread():
        signal.pthread_sigmask(signal.SIG_BLOCK, STOPS)  # past Python's own handlers, at shutdown
