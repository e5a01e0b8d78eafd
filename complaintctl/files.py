"""How the tool writes files: every output, backup, rejects file and anchor the same way.

A file is readable by its owner only (0600); it is written under a temporary name beside the
destination and renamed into place when complete, so a reader never sees half a file; a symlink
at the destination is refused, never followed or replaced (someone may have planted it to make
the tool overwrite another file); and the database's own file is never a destination.
"""
from __future__ import annotations

import errno
import io
import os
import stat
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from . import stopping
from .stored import SIDE_FILES
from .errors import DatabaseUnavailable, InvalidPath

# A cell starting with one of these is a formula to a spreadsheet program (CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """Keep spreadsheet programs from reading a text cell as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def restore(value: str) -> str:
    """A cell as it was before `neutralise` (what a re-import of the tool's own CSV reads)."""
    if value[:1] == "'" and value[1:2] and value[1] in FORMULA_START:
        return value[1:]
    return value


def _refuse_unreplaceable(path: Path, option: str) -> None:
    """A symlink (never written through) or anything but a regular file (a device such as /dev/null,
    a named pipe, a socket: a rename or a write would replace or feed it) at `path`: refused."""
    if path.is_symlink():
        raise InvalidPath(option, str(path), "acc.no_symlink")
    if path.exists() and not path.is_file():
        raise InvalidPath(option, str(path), "acc.regular_file_output" if option == "--output" else "acc.regular_file")


# The formats a file's name says it holds: `--format xlsx --output q3.csv` would write a workbook
# that a spreadsheet opens as garbled text (and a CSV named .xlsx would not open at all). A name
# with any other ending (or none) takes any format (cli/render.check_suffix).
SUFFIX_FORMATS = {".csv": ("csv",), ".json": ("json", "jsonl"), ".jsonl": ("jsonl",), ".ndjson": ("jsonl",),
                  ".xlsx": ("xlsx",), ".html": ("html",), ".htm": ("html",)}
# The endings the tool's outputs are named with (those, and a table's text): an existing file so
# named is replaced by the next run, whoever made it.
OUTPUT_SUFFIXES = frozenset({*SUFFIX_FORMATS, ".txt", ".tsv"})


def _not_an_output(path: Path) -> bool:
    """An existing file that --output must not replace: not named as an output is, and not as the
    tool leaves its outputs (the running account's, mode 0600) or in a hidden folder (~/.ssh).
    /etc/passwd, /etc/hosts.allow, a program (python3.11), ~/.bashrc: root may write anywhere, and
    the rename would replace the file whole. An output written yesterday without an extension, or a
    mktemp name, is the tool's own and replaced as ever."""
    if path.suffix.lower() in OUTPUT_SUFFIXES:
        return False
    try:
        st = path.stat()
    except OSError:
        return False  # (gone meanwhile: nothing to replace)
    hidden = any(part.startswith(".") and part not in (".", "..") for part in path.resolve().parts)
    return hidden or st.st_mode & 0o7777 != 0o600 or st.st_uid != os.geteuid()


def check_destination(path: Path, option: str, *, protect: tuple[Path, ...] = (), overwrite: bool = True,
                      appended: bool = False) -> Path:
    """Refuse a destination the tool must not write: a symlink, a missing folder, anything but a
    regular file (a device or a named pipe, which the rename would replace), a protected file (the
    database itself), an existing file when `overwrite` is off, or one marked read-only (no write
    bit for anyone) that it would replace (`appended`: a line is added to it instead, the anchors
    file on write-once storage, so it is not replaced). Checked before any work."""
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_symlink():
        raise InvalidPath(option, str(path), "acc.no_symlink")
    if not folder.is_dir():
        raise InvalidPath(option, str(path), "acc.existing_folder")
    if path.is_dir():
        raise InvalidPath(option, str(path), "acc.not_folder")
    _refuse_unreplaceable(path, option)
    try:
        marked = path.is_file() and path.stat().st_mode & 0o222 == 0
    except OSError:
        marked = False
    if marked and not appended:  # (chmod 444: kept on purpose; the rename would replace it, root's too)
        raise InvalidPath(option, str(path), "acc.not_read_only")
    if option == "--output" and not appended and path.is_file() and _not_an_output(path):
        raise InvalidPath(option, str(path), "acc.named_file")
    for other in protect:
        if other is None:
            continue  # (a server's database has no file)
        try:
            same = path.exists() and other.exists() and os.path.samefile(path, other)
        except OSError:
            same = False
        if same or path.resolve() == other.resolve():
            raise InvalidPath(option, str(path), "acc.not_database")
        for suffix in SIDE_FILES:
            if path.resolve() == Path(str(other.resolve()) + suffix):
                raise InvalidPath(option, str(path), "acc.not_database")
    if not overwrite and (path.exists() or path.is_symlink()):
        raise InvalidPath(option, str(path), "acc.new_path")
    return path


# A write that failed for want of room (a full disk, a quota, a file-size limit): the file's
# fault, whoever's code was writing it.
_NO_ROOM = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)


def cannot_write(path: Path, exc: OSError) -> DatabaseUnavailable:
    """The one error for a file the system would not let the tool write, naming the file (the
    system's own words say only what went wrong, not where)."""
    return DatabaseUnavailable("err.cannot_write", path=str(path), why=exc.strerror or str(exc))


def no_room(exc: BaseException) -> bool:
    """Whether an error is a write refused for want of room (a full disk, a quota, a size limit)."""
    return isinstance(exc, OSError) and exc.errno in _NO_ROOM


@contextmanager
def part_beside(path: Path) -> Iterator[tuple[int, str]]:
    """A new 0600 temporary file beside `path` (mkstemp: O_EXCL), as its descriptor and name, removed
    as the block ends unless the block has moved it into place (a stop while it is made lands in the
    block, and so it is removed too); one the folder will not take is `path`'s one error."""
    folder = path.parent if str(path.parent) else Path(".")
    stopping.hold()
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=folder)
    except OSError as exc:
        stopping.release()
        raise cannot_write(path, exc) from None
    try:
        stopping.release()
        yield fd, tmp
    finally:
        Path(tmp).unlink(missing_ok=True)


@contextmanager
def atomic_text(path: Path, option: str = "--output", *, protect: tuple[Path, ...] = (), newline: str = "",
                encoding: str = "utf-8", keep: Callable[[], bool] | None = None,
                binary: bool = False) -> Iterator[io.TextIOBase]:
    """A text (or, with `binary`, byte) file written to a 0600 temporary name beside `path` and renamed over it when complete
    (unless `keep`, asked at the end, says the file is not wanted after all)."""
    check_destination(path, option, protect=protect)
    with part_beside(path) as (fd, tmp):
        try:
            with (os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", newline=newline, encoding=encoding)) as fh:
                yield fh
            if keep is not None and not keep():
                return
            os.chmod(tmp, 0o600)
            # A symlink, a device or a pipe planted while we wrote is still refused: the rename would
            # replace it.
            _refuse_unreplaceable(path, option)
            os.replace(tmp, path)
        except OSError as exc:
            if no_room(exc):
                raise cannot_write(path, exc) from None
            raise


def settle(fh, path: Path) -> None:
    """What was written to an atomic_text file so far, on the disk (before a commit that the file
    reports on); a disk that will not hold it is the file's one error."""
    try:
        fh.flush()
        os.fsync(fh.fileno())
    except OSError as exc:
        raise cannot_write(path, exc) from None


def append_line(path: Path, line: str, option: str = "FILE", *, protect: tuple[Path | None, ...] = ()) -> None:
    """Append one line to a 0600 file (created if missing), never through a symlink, whole or not at
    all: a write that fails part-way (a full disk, a stop) cuts the file back to what it held, so
    that a file of lines (the audit anchors, perhaps on write-once storage) never ends in half a one.
    The file is locked meanwhile (flock), so the cut never takes another run's line with it."""
    import fcntl

    check_destination(path, option, protect=protect, appended=True)
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags, 0o600)
    except OSError as exc:
        raise cannot_write(path, exc) from None
    data = (line.rstrip("\n") + "\n").encode("utf-8")
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # released as the file is closed
        size = os.fstat(fd).st_size
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        except BaseException:
            try:
                os.ftruncate(fd, size)
            except OSError:
                pass  # an append-only file (chattr +a) keeps what was written: nothing more can be done
            raise
    except OSError as exc:
        raise cannot_write(path, exc) from None
    finally:
        os.close(fd)


def owner_only(path: Path) -> None:
    """An existing regular file made readable by its owner only (0600), never through a symlink
    (one written world-readable by an older version, say); a missing one is left to be made so."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return  # missing, a symlink, or not ours to open: nothing to tighten
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISREG(mode) and mode & 0o077:
            os.fchmod(fd, 0o600)
    finally:
        os.close(fd)
