"""Every CLI test runs on its own temporary database, config folder and working directory."""
from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from complaintctl_cli.main import app


@pytest.fixture(autouse=True)
def isolated_home(tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("COMPLAINTCTL_OPERATOR", "tester")
    monkeypatch.setenv("LANG", "C.UTF-8")
    for var in ("COMPLAINTCTL_DB", "COMPLAINTCTL_CONFIG", "LC_ALL", "LC_MESSAGES", "NO_COLOR"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.chdir(tmp_path)
    return home


class Cli:
    """Runs complaintctl as a user would, on one database."""

    def __init__(self, db: Path):
        self.db = db
        self.runner = CliRunner()

    def __call__(self, *args: str, input: str | bytes | None = None, expect: int | None = 0):
        result = self.runner.invoke(app, ["--db", str(self.db), *args], input=input)
        if expect is not None and result.exit_code != expect:
            raise AssertionError(
                f"complaintctl {' '.join(args)} exited {result.exit_code}, expected {expect}\n"
                f"stdout: {result.stdout}\nstderr: {result.stderr}\n{result.exception!r}")
        return result

    def json(self, *args: str, **kw):
        return json.loads(self(*args, **kw).stdout)

    def fails(self, *args: str, code: int = 2, input: str | bytes | None = None) -> str:
        """Run a command that must fail: exact exit code, one line on stderr, no traceback, nothing written."""
        before = self.dump()
        result = self(*args, input=input, expect=code)
        err = result.stderr.strip()
        assert err.count("\n") == 0, f"expected one line on stderr, got:\n{err}"
        assert "Traceback" not in result.output
        assert err.startswith("complaintctl: error: "), err
        assert self.dump() == before, "a failed command changed the database"
        return err

    def dump(self) -> str:
        if not self.db.exists():
            return ""
        con = sqlite3.connect(self.db)
        try:
            return "\n".join(con.iterdump())
        finally:
            con.close()

    def staff(self):
        self("staff", "add", "wangfang", "--role", "staff", "--department", "个人金融部")
        self("staff", "add", "zhangwei", "--role", "manager")
        self("staff", "add", "sunli", "--role", "executive")

    def log(self, *extra: str, received: str = "2026-03-02T10:00", **kw) -> str:
        args = ["log", "--channel", "hotline", "--customer", "张三", "--phone", "13812345678",
                "--product", "wealth_management", "--category", "misselling",
                "--description", "理财产品风险未揭示", "--received-at", received, *extra]
        return self(*args, **kw).stdout.strip()


@pytest.fixture
def cli(tmp_path) -> Cli:
    return Cli(tmp_path / "complaints.db")
