"""Run complaintctl in-process as a user would, through Typer's and Click's public API only.

`typer.testing.CliRunner.invoke` converts the Typer app into a Click command on every call (about
40 ms; thousands of calls in the suite). Instead the command is built once with the public
`typer.main.get_command` and each run happens inside the runner's public `isolation()` (the same
context manager Click's `CliRunner.invoke` uses: its own stdin, stdout, stderr and environment).
Nothing private is read or replaced, so a Typer release that renames its internals cannot break
the suite silently.
"""
from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import typer
import typer.main
from typer.testing import CliRunner


@dataclass
class Outcome:
    """What a user sees of one run: exit code, stdout, stderr, and both interleaved."""

    exit_code: int
    stdout: str
    stderr: str
    output: str
    exception: BaseException | None = None
    stdout_bytes: bytes = b""  # stdout as written (stdout above has "\r\n" read as "\n")


class Runner:
    """One application's Click command, built once and run any number of times."""

    def __init__(self, app: typer.Typer, prog_name: str = "complaintctl"):
        self.command = typer.main.get_command(app)
        self.prog_name = prog_name
        self.isolation = CliRunner().isolation

    def __call__(self, args: Sequence[str], input: str | bytes | None = None,
                 env: Mapping[str, str | None] | None = None) -> Outcome:
        exception: BaseException | None = None
        with self.isolation(input=input, env=env) as (stdout, stderr, output):
            try:
                self.command.main(args=list(args), prog_name=self.prog_name)
                code = 0  # the application always leaves by SystemExit; returning means success
            except SystemExit as exc:
                if exc.code is None or isinstance(exc.code, int):
                    code = exc.code or 0
                else:  # sys.exit("message"): Python prints it and exits 1
                    sys.stderr.write(f"{exc.code}\n")
                    code = 1
                if code:
                    exception = exc
            except Exception as exc:  # an unhandled error: a traceback for a user, exit 1
                code, exception = 1, exc
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
            # Read inside the isolation: its streams are closed once it is left.
            seen = [s.getvalue().decode("utf-8", "replace").replace("\r\n", "\n") for s in (stdout, stderr, output)]
            raw = stdout.getvalue()
        return Outcome(code, *seen, exception=exception, stdout_bytes=raw)


def default_stops() -> None:
    """For a child process the suite stops on purpose (preexec_fn): Ctrl-C, SIGTERM and SIGHUP as a
    terminal's session has them, whatever the suite was started with (a background job ignores
    SIGINT, `nohup` SIGHUP; the tool keeps a stop it was started ignoring)."""
    import signal

    for name in ("SIGINT", "SIGTERM", "SIGHUP"):
        signal.signal(getattr(signal, name), signal.SIG_DFL)
