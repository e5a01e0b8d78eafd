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
# One worker builds and installs the wheel once for the whole module (with `--dist loadgroup`, set in
# pyproject); spread over both workers, each built its own (about 30 s of one core each).
pytestmark = pytest.mark.xdist_group("wheel")
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
    it in that points HOME, the data and config folders at an empty place and leaves out the source.
    Built once a session: a module-scoped fixture was built twice whenever xdist ran another
    module's test between this module's (about 20 s each time)."""
    base = tmp_path_factory.mktemp("wheel")
    source = base / "source"
    shutil.copytree(ROOT, source, ignore=NOT_SOURCE)  # the build writes build/ and *.egg-info beside the source
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "COMPLAINTCTL_", "VIRTUAL_ENV"))}
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(base / "dist"), str(source)],
        cwd=base, env=env)
    wheel, = (base / "dist").glob("complaintctl-*.whl")
    # A venv without its own pip (ensurepip alone takes ~15 s here): this pip installs into it.
    run([sys.executable, "-m", "venv", "--without-pip", str(base / "venv")], cwd=base, env=env)
    venv_bin = base / "venv" / "bin"
    run([sys.executable, "-m", "pip", "--python", str(venv_bin / "python"), "install", "--quiet", str(wheel)],
        cwd=base, env=env)
    home = base / "home"
    work = base / "work"
    home.mkdir()
    work.mkdir()
    env.update(HOME=str(home), XDG_DATA_HOME=str(home / "data"), XDG_CONFIG_HOME=str(home / "config"),
               PATH=f"{venv_bin}{os.pathsep}{env.get('PATH', '')}", LANG="C.UTF-8", PYTHONNOUSERSITE="1")
    return {"wheel": wheel, "bin": venv_bin, "env": env, "work": work, "home": home}


@pytest.mark.slow
def test_the_wheel_holds_every_source_file_under_the_packages_own_names(installed):
    names = set(zipfile.ZipFile(installed["wheel"]).namelist())
    top = {n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")}
    assert top == {"complaintctl", "complaintctl_cli", "complaintctl_migrations"}  # no generic `cli` in site-packages
    for folder, package in (("complaintctl", "complaintctl"), ("cli", "complaintctl_cli"),
                            ("migrations", "complaintctl_migrations")):
        shipped = {f"{package}/{p.relative_to(ROOT / folder).as_posix()}" for p in (ROOT / folder).rglob("*")
                   if p.is_file() and "__pycache__" not in p.parts}
        assert shipped - names == set(), f"files of {folder}/ missing from the wheel"


@pytest.mark.slow
def test_the_installed_tool_runs_the_readme_quickstart_from_its_own_files(installed):
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


@pytest.mark.slow
def test_the_installed_tool_runs_the_chinese_quickstart_word_for_word(installed, tmp_path):
    env = dict(installed["env"], HOME=str(tmp_path), XDG_DATA_HOME=str(tmp_path / "data"),
               XDG_CONFIG_HOME=str(tmp_path / "config"))
    lines = quickstart_lines("快速上手")
    assert lines[0].split("#")[0].strip() == "complaintctl --lang zh demo" and len(lines) >= 8
    done = run(["bash", "-e", "-u", "-o", "pipefail", "-c", "\n".join(lines)], tmp_path, env)
    assert "超时" in done.stdout and "王芳" in done.stdout  # the overdue report's title, the case's handler
    day = json.loads(run(["complaintctl", "list", "--all", "--format", "json"], tmp_path, env).stdout)
    assert [c["status"] for c in day] == ["reopened"], "the first real day sees demo cases"


@pytest.mark.slow
def test_the_installed_tool_upgrades_an_old_database_with_the_migrations_it_ships(installed):
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
