"""The wheel a user installs: built from a copy of the source, installed into a fresh virtual
environment with its dependencies, and run from a folder away from the source tree, so that a
module, migration or data file missing from the wheel fails here (and in CI) rather than at a bank.
The commands are README's own quickstart, read from README, then `db check` and `db upgrade`."""
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# The wheel is built and installed once a run, whichever xdist worker asks first (a lock on a file
# in the run's shared temporary folder); the other waits and uses it. (An xdist_group mark did not
# keep the module on one worker: pytest 9 ignores the group suffix that xdist 3.8 writes, and each
# worker built its own, about 18 s of a core each.)
NOT_SOURCE = shutil.ignore_patterns(".git", ".venv*", "venv", "build", "dist", "*.egg-info", "__pycache__",
                                    ".hypothesis", ".pytest_cache", "mutants", "*.db", "*.db-*")


def quickstart() -> str:
    """README's 'A first day at the counter' commands, exactly as a reader would paste them."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    found = re.search(r"A first day at the counter:\s*```sh\n(.*?)```", readme, re.S)
    assert found, "README has no 'A first day at the counter' sh block"
    return found.group(1)


def quickstart_lines(heading: str) -> list[str]:
    """The commands of README's first sh block under `heading` that run the tool (not the install
    lines, which this test does from the built wheel), continuation lines joined."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    found = re.search(rf"^## {heading}\n.*?```sh\n(.*?)```", readme, re.S | re.M)
    assert found, f"README has no sh block under '## {heading}'"
    text = found.group(1).replace("\\\n", " ")
    return [line for line in text.splitlines() if line.startswith(("complaintctl", "ref="))]


def run(argv, cwd, env, timeout=600, check=True):
    done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL)
    if check:
        assert done.returncode == 0, f"{argv} exited {done.returncode}\nstdout: {done.stdout}\nstderr: {done.stderr}"
    return done


@pytest.fixture(scope="session")
def installed(tmp_path_factory):
    """A fresh virtual environment with the freshly built wheel installed, and an environment to run
    it in that points HOME, the data and config folders at an empty place (this worker's own) and
    leaves out the source."""
    import fcntl

    own = tmp_path_factory.getbasetemp()
    shared = own.parent if os.environ.get("PYTEST_XDIST_WORKER") else own  # the run's, under xdist
    base = shared / "wheel"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "COMPLAINTCTL_", "VIRTUAL_ENV"))}
    venv_bin = base / "venv" / "bin"
    with open(shared / "wheel.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not (base / "installed").exists():
            shutil.rmtree(base, ignore_errors=True)  # a build that failed half-way
            base.mkdir()
            source = base / "source"
            shutil.copytree(ROOT, source, ignore=NOT_SOURCE)  # the build writes build/ and *.egg-info beside it
            run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(base / "dist"), str(source)],
                cwd=base, env=env)
            wheel, = (base / "dist").glob("complaintctl-*.whl")
            # A venv without its own pip (ensurepip alone takes ~15 s here): this pip installs into it.
            run([sys.executable, "-m", "venv", "--without-pip", str(base / "venv")], cwd=base, env=env)
            run([sys.executable, "-m", "pip", "--python", str(venv_bin / "python"), "install", "--quiet", str(wheel)],
                cwd=base, env=env)
            (base / "installed").touch()
    wheel, = (base / "dist").glob("complaintctl-*.whl")
    base = own / "wheel-run"
    home = base / "home"
    work = base / "work"
    home.mkdir(parents=True)
    work.mkdir(parents=True)
    env.update(HOME=str(home), XDG_DATA_HOME=str(home / "data"), XDG_CONFIG_HOME=str(home / "config"),
               PATH=f"{venv_bin}{os.pathsep}{env.get('PATH', '')}", LANG="C.UTF-8", PYTHONNOUSERSITE="1")
    return {"wheel": wheel, "bin": venv_bin, "env": env, "work": work, "home": home}


def holds_every_source_file_under_the_packages_own_names(installed):
    names = set(zipfile.ZipFile(installed["wheel"]).namelist())
    top = {n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")}
    assert top == {"complaintctl", "complaintctl_cli", "complaintctl_migrations"}  # no generic `cli` in site-packages
    for folder, package in (("complaintctl", "complaintctl"), ("cli", "complaintctl_cli"),
                            ("migrations", "complaintctl_migrations")):
        shipped = {f"{package}/{p.relative_to(ROOT / folder).as_posix()}" for p in (ROOT / folder).rglob("*")
                   if p.is_file() and "__pycache__" not in p.parts}
        assert shipped - names == set(), f"files of {folder}/ missing from the wheel"


def runs_the_readme_quickstart_from_its_own_files(installed):
    env, work = installed["env"], installed["work"]
    where = run([str(installed["bin"] / "python"), "-c",
                 "import complaintctl, complaintctl_cli, complaintctl_migrations as m;"
                 "print(complaintctl.__file__); print(complaintctl_cli.__file__); print(m.__file__)"], work, env)
    site = installed["bin"].parent.resolve()
    assert all(Path(p).resolve().is_relative_to(site) for p in where.stdout.split()), where.stdout
    assert run(["complaintctl", "--version"], work, env).stdout.startswith("complaintctl ")

    # Word for word: the demo (its own file), then the first real day, which sees none of the demo.
    assert quickstart_lines("Quickstart") == ["complaintctl demo"]
    demo = run(["bash", "-e", "-u", "-c", "\n".join(quickstart_lines("Quickstart"))], work, env)
    assert "demo.db" in demo.stdout + demo.stderr
    run(["bash", "-e", "-u", "-o", "pipefail", "-c", quickstart()], work, env)  # init, log, ..., report overdue
    day = json.loads(run(["complaintctl", "list", "--all", "--format", "json"], work, env).stdout)
    assert len(day) == 1 and day[0]["reference"].endswith("-000001"), "the first real day sees demo cases"
    check = run(["complaintctl", "db", "check"], work, env)
    assert check.stdout.startswith("ok: integrity, foreign keys, state replay and audit chain all hold")
    overdue = run(["complaintctl", "--lang", "zh", "report", "overdue"], work, env)
    assert re.search("[\u4e00-\u9fff]", overdue.stdout + overdue.stderr), "no Chinese in the zh report: labels missing?"
    assert list(installed["home"].joinpath("data").rglob("*.db")), "the default database is not in the user data folder"


def runs_the_chinese_quickstart_word_for_word(installed, tmp_path):
    env = dict(installed["env"], HOME=str(tmp_path), XDG_DATA_HOME=str(tmp_path / "data"),
               XDG_CONFIG_HOME=str(tmp_path / "config"))
    lines = quickstart_lines("快速上手")
    assert lines[0].split("#")[0].strip() == "complaintctl --lang zh demo" and len(lines) >= 8
    done = run(["bash", "-e", "-u", "-o", "pipefail", "-c", "\n".join(lines)], tmp_path, env)
    assert "超时" in done.stdout and "王芳" in done.stdout  # the overdue report's title, the case's handler
    day = json.loads(run(["complaintctl", "list", "--all", "--format", "json"], tmp_path, env).stdout)
    assert [c["status"] for c in day] == ["reopened"], "the first real day sees demo cases"


def upgrades_an_old_database_with_the_migrations_it_ships(installed):
    env, work = installed["env"], installed["work"]
    old = work / "old.db"
    run([str(installed["bin"] / "python"), "-c",
         "import sys; from complaintctl.db import Store, KNOWN_REVISIONS;"
         "s = Store(sys.argv[1]); s.upgrade(KNOWN_REVISIONS[0]); print(KNOWN_REVISIONS[0]); s.dispose()", str(old)],
        work, env)
    from complaintctl.db import HEAD_REVISION

    upgraded = run(["complaintctl", "--db", str(old), "db", "upgrade"], work, env)
    assert upgraded.stdout.strip() == f"upgraded to revision {HEAD_REVISION}"
    assert run(["complaintctl", "--db", str(old), "db", "check"], work, env).stdout.startswith("ok:")


@pytest.mark.slow
def test_the_installed_wheel(installed, tmp_path):
    """One test for the four checks of the installed wheel, in turn, so that one worker builds the
    wheel and runs them while the other runs the rest of the suite (split over both workers, the
    second waited for the first's build): the wheel holds every source file under the package's own
    names; the installed tool runs README's quickstart from its own files; and its Chinese
    quickstart word for word; and upgrades an old database with the migrations it ships."""
    holds_every_source_file_under_the_packages_own_names(installed)
    runs_the_readme_quickstart_from_its_own_files(installed)
    runs_the_chinese_quickstart_word_for_word(installed, tmp_path)
    upgrades_an_old_database_with_the_migrations_it_ships(installed)
