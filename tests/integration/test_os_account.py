"""The installed console script run by a real, unprivileged OS account: the operator is the
account (its real user id), not a name it claims. Needs root to create the account; skipped
otherwise. The account and its files are removed afterwards."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
import uuid
from pathlib import Path

import pytest

from tests.conftest import Cli

pytestmark = pytest.mark.sqlite_only  # the OS account is the login on SQLite; PostgreSQL logins: test_server_roles.py


def _run(*cmd: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(list(cmd), capture_output=True, text=True, **kw)


@pytest.fixture
def account():
    """A new OS account with no home and no shell (useradd), deleted afterwards."""
    if os.geteuid() != 0:
        pytest.skip("creating an OS account needs root; the suite is not running as root here")
    if not (shutil.which("useradd") and shutil.which("userdel") and shutil.which("runuser")):
        pytest.skip("useradd, userdel and runuser are needed to run the tool as another account")
    name = f"ctl{uuid.uuid4().hex[:10]}"
    for _ in range(20):  # /etc/passwd is locked while another useradd runs
        made = _run("useradd", "--no-create-home", "--shell", "/usr/sbin/nologin", name)
        if made.returncode == 0:
            break
        time.sleep(0.5)
    else:
        pytest.fail(f"useradd failed: {made.stderr}")
    try:
        yield name
    finally:
        _run("userdel", name)


@pytest.fixture
def console_script(tmp_path_factory):
    """The console script, launchable by any account. The suite's interpreter may sit under a folder
    only root can read (/root here), so the script is run by a virtual environment of the system's
    own Python 3.11 over this environment's installed packages (the same code, the same entry point)."""
    exe = Path(sys.executable).parent / "complaintctl"
    if not exe.exists():
        pytest.skip("console script not installed beside this Python")
    system = shutil.which("python3.11", path="/usr/bin:/usr/local/bin")
    if system is None:
        pytest.skip("no system Python 3.11 that an unprivileged account can run")
    folder = Path(tempfile.mkdtemp(prefix="ctl-venv-"))
    _run(system, "-m", "venv", "--without-pip", str(folder)).check_returncode()
    site = Path(_run(str(folder / "bin" / "python3"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])")
                .stdout.strip())
    ours = sysconfig.get_paths()["purelib"]
    (site / "complaintctl-suite.pth").write_text(f"import site; site.addsitedir({ours!r})\n")
    script = folder / "bin" / "complaintctl"
    script.write_text("#!" + str(folder / "bin" / "python3") + "\n" + exe.read_text().split("\n", 1)[1])
    script.chmod(0o755)
    for path in [folder, *folder.rglob("*")]:
        path.chmod(0o755 if path.is_dir() or os.access(path, os.X_OK) else 0o644)
    yield script
    shutil.rmtree(folder, ignore_errors=True)


def test_the_operator_is_the_os_account_mapped_to_staff(account, console_script):
    folder = Path(tempfile.mkdtemp(prefix="ctl-os-"))
    try:
        folder.chmod(0o777)
        db = folder / "branch.db"
        root = Cli(db)
        root("db", "upgrade")  # creates the database: root, which runs it, is its administrator
        root.staff()
        ref = root.log("--account", "6222021234567890")
        # The file's permissions are the boundary on SQLite: this branch lets the account in.
        db.chmod(0o666)
        env = {"PATH": "/usr/bin:/bin", "HOME": str(folder), "LANG": "C.UTF-8", "XDG_CACHE_HOME": str(folder / "cache"),
               "XDG_CONFIG_HOME": str(folder / "config"), "XDG_DATA_HOME": str(folder / "data")}

        def run(*args: str, **extra_env: str) -> subprocess.CompletedProcess:
            return _run("runuser", "-u", account, "--", "env", "-i", *[f"{k}={v}" for k, v in {**env, **extra_env}.items()],
                        str(console_script), "--db", str(db), *args, cwd=folder)

        # The account must be able to read the installed code: a checkout under a folder only its
        # owner may enter (mktemp -d makes 0700 folders) cannot be run by anyone else.
        probe = run("--version")
        if probe.returncode != 0 and ("ModuleNotFoundError" in probe.stderr or "Permission denied" in probe.stderr):
            pytest.skip("the source tree or its virtual environment is not readable by other accounts "
                        "(a parent folder is private); clone into a folder others may enter to run this test")
        assert probe.returncode == 0, probe.stderr
        # Unmapped: refused with exit 4, one line naming the login; $USER and $LOGNAME change nothing.
        r = run("list", USER="root", LOGNAME="root")
        assert r.returncode == 4, r.stderr
        assert r.stderr == (f"complaintctl: error: login {account!r} is not mapped to active staff, so it may read and "
                            f"write nothing; an administrator maps it with 'complaintctl staff add NAME --role ROLE "
                            f"--login {account}'\n")
        assert r.stdout == ""
        # Mapped to front-line staff: works as that person, and only as that person.
        root("staff", "add", "liqiang", "--role", "staff", "--login", account)
        assert run("note", ref, "已回访", USER="root").returncode == 0
        assert root.json("show", ref, "--json")["events"][-1]["actor"] == "liqiang"
        r = run("--as", "zhangwei", "show", ref)
        assert r.returncode == 4 and "only an administrator may act for someone (--as); liqiang" in r.stderr
        r = run("show", ref, "--reveal")
        assert r.returncode == 4 and "liqiang is Front-line staff" in r.stderr
        assert "6222021234567890" not in r.stdout + r.stderr
        r = run("staff", "add", "liqiang2", "--role", "executive", "--login", "root")
        assert r.returncode == 4
        assert root("db", "check").exit_code == 0
    finally:
        shutil.rmtree(folder, ignore_errors=True)
