"""Every CLI test runs on its own temporary database, config folder and working directory."""
from __future__ import annotations

import json
import os
import sqlite3

import pytest

from complaintctl_cli.main import app
from tests.harness import Runner

# Building the Click command from the Typer app is the slow part of an in-process run (about 40 ms):
# build it once, and run every test's commands on it (tests/harness.py: public API only).
RUN = Runner(app)


@pytest.fixture(autouse=True)
def isolated_home(tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("LANG", "C.UTF-8")
    for var in ("COMPLAINTCTL_DB", "COMPLAINTCTL_CONFIG", "COMPLAINTCTL_OPERATOR", "LC_ALL", "LC_MESSAGES", "NO_COLOR",
                "COLUMNS", "LINES"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.chdir(tmp_path)
    # The branch a first `init` would set: a case logged with no branch at all is refused.
    config = home / "config" / "complaintctl" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text('branch = "BJ001"\n', encoding="utf-8")
    return home


from hypothesis import settings as hypothesis_settings

# No deadline: a property test asserts what is computed, never how fast (the machine may be busy).
# In CI the property tests run the same examples every time: a failure there is reproducible.
hypothesis_settings.register_profile("default", deadline=None)
hypothesis_settings.register_profile("ci", derandomize=True, database=None, deadline=None)
hypothesis_settings.load_profile("ci" if os.environ.get("CI") else "default")

PG_URL = os.environ.get("COMPLAINTCTL_TEST_DATABASE_URL")
PG_DATABASE = "complaintctl_suite"
# What a PostgreSQL test's database is emptied of before it starts, children before their parents.
EMPTIED = ("personal_data", "remediation_cases", "remediation_actions", "events", "cycles", "cases", "staff")


def pytest_configure(config):
    config.addinivalue_line("markers", "sqlite_only: exercises SQLite files directly (permissions, backup API)")


def pytest_collection_modifyitems(config, items):
    """The long tests (marked slow: the soaks) first, and the longest of them, the wheel's (45 s),
    before them; the order otherwise kept: under pytest-xdist each then starts while the rest of the
    work is still there to share, rather than running alone at the end while the other worker waits."""
    items.sort(key=lambda item: (item.get_closest_marker("slow") is None, "test_wheel.py" not in item.nodeid))


class Cli:
    """Runs complaintctl as a user would, on one database (a SQLite file or a PostgreSQL URL)."""

    def __init__(self, db):
        self.db = db
        self.backend = "postgresql" if str(db).startswith("postgresql") else "sqlite"
        self._engine = None

    @property
    def engine(self):
        import sqlalchemy as sa

        if self._engine is None:
            url = self.db if self.backend == "postgresql" else f"sqlite:///{self.db}"
            self._engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
        return self._engine

    def sql(self, statement: str, **params):
        """Run SQL behind the tool's back (to tamper, or to look), on either backend. On PostgreSQL a
        statement that changes events does what only the owner can: switch the insert-only trigger
        off for this transaction (the hash chain and anchors are what catch it)."""
        import re

        import sqlalchemy as sa

        with self.engine.begin() as conn:
            if self.backend == "postgresql" and re.search(r"(?is)\b(update|delete)\b.*\bevents\b", statement):
                conn.execute(sa.text("SET LOCAL session_replication_role = replica"))
            result = conn.execute(sa.text(statement), params)
            return result.all() if result.returns_rows else None

    def scalar(self, statement: str, **params):
        return self.sql(statement, **params)[0][0]

    def __call__(self, *args: str, input: str | bytes | None = None, expect: int | None = 0):
        result = RUN(["--db", str(self.db), *args], input=input)
        if expect is not None and result.exit_code != expect:
            raise AssertionError(
                f"complaintctl {' '.join(args)} exited {result.exit_code}, expected {expect}\n"
                f"stdout: {result.stdout}\nstderr: {result.stderr}\n{result.exception!r}")
        return result

    def json(self, *args: str, **kw):
        return json.loads(self(*args, **kw).stdout)

    def fails(self, *args: str, code: int = 2, input: str | bytes | None = None, report: bool = False) -> str:
        """Run a command that must fail: exact exit code, one line on stderr, no traceback, nothing written
        (on stdout neither, unless it is a `report` of what was refused, as import's rejected rows)."""
        before = self.dump()
        result = self(*args, input=input, expect=code)
        err = result.stderr.strip()
        assert err.count("\n") == 0, f"expected one line on stderr, got:\n{err}"
        assert "Traceback" not in result.output
        assert err.startswith(("complaintctl: error: ", "complaintctl: 错误：")), err  # (in the run's language)
        assert self.dump() == before, "a failed command changed the database"
        assert report or result.stdout == "", f"a failed command wrote to stdout:\n{result.stdout[:300]}"
        return err

    def downgrade(self, revision: str) -> None:
        """Take the database back to an older schema revision the way Alembic goes (SQLite)."""
        from alembic import command

        from complaintctl.db import Store
        from complaintctl.migrate import alembic_config

        store = Store(str(self.db))
        cfg = alembic_config(store)
        with store.write_engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, revision)
        store.dispose()

    def dump(self) -> str:
        if self.backend == "postgresql":
            # Read as the tables' owner (the suite's login): another login may not see every row or table.
            import sqlalchemy as sa

            suite = sa.engine.make_url(os.environ["COMPLAINTCTL_TEST_DATABASE_URL"])
            url = sa.engine.make_url(str(self.db))
            owner = self if url.username == suite.username else Cli(
                url.set(username=suite.username, password=suite.password).render_as_string(hide_password=False))
            # One connection for the whole dump (a connection a statement made it ~70 ms a dump, and
            # cli.fails dumps twice).
            with owner.engine.connect() as conn:
                tables = [r[0] for r in conn.execute(
                    sa.text("select tablename from pg_tables where schemaname='public' order by 1"))]
                return "\n".join(f"{t}: {conn.execute(sa.text(f'select * from {t} order by 1')).all()}"
                                 for t in tables)
        if not self.db.exists():
            return ""
        con = sqlite3.connect(self.db)
        try:
            return "\n".join(con.iterdump())
        finally:
            con.close()

    @property
    def admin(self) -> str:
        """The administrator every test runs as: the account that created the database (SQLite: this
        process's OS account; PostgreSQL: the suite's login, which owns the tables)."""
        import sqlalchemy as sa

        from complaintctl.db import account_name

        if self.backend == "postgresql":
            return sa.engine.make_url(self.db).username
        return account_name(os.getuid())

    def staff(self):
        self("staff", "add", "wangfang", "--role", "staff", "--department", "个人金融部")
        self("staff", "add", "zhangwei", "--role", "manager")
        self("staff", "add", "sunli", "--role", "executive")

    def log(self, *extra: str, received: str = "2026-03-02T10:00", **kw) -> str:
        args = ["log", "--channel", "hotline", "--customer", "张三", "--phone", "13812345678",
                "--product", "wealth_management", "--category", "misselling",
                "--description", "理财产品风险未揭示", "--received-at", received, *extra]
        return self(*args, **kw).stdout.strip()


@pytest.fixture(scope="session")
def pg_database(request):
    """One PostgreSQL database at the current schema for the session, emptied before each test
    (TRUNCATE is much cheaper than creating a database per test)."""
    import sqlalchemy as sa

    import datetime as dt

    from complaintctl import business_days
    from complaintctl.access import ensure_administrator
    from complaintctl.config import Policy, policy_rules
    from complaintctl.deadlines import BusinessCalendar
    from complaintctl.rules import record_first
    from complaintctl.db import HEAD_REVISION, Store

    import hashlib

    worker = getattr(request.config, "workerinput", {}).get("workerid", "main")
    # One per checkout and xdist worker: two checkouts testing against one server never share one.
    checkout = hashlib.sha1(str(request.config.rootpath).encode()).hexdigest()[:8]
    name = f"{PG_DATABASE}_{checkout}_{worker}"
    server = sa.engine.make_url(PG_URL)
    admin = sa.create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with admin.connect() as conn:
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        conn.execute(sa.text(f"CREATE DATABASE {name}"))
    url = server.set(database=name).render_as_string(hide_password=False)
    store = Store(url)
    store.ensure_schema()
    store.dispose()
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    with engine.connect() as conn:
        sequences = [q for (q,) in conn.execute(sa.text(
            "SELECT pg_get_serial_sequence(table_name, 'id') FROM information_schema.columns WHERE table_schema = "
            "'public' AND column_name = 'id' AND column_default LIKE 'nextval%' AND table_name = ANY(:t)"),
            {"t": list(EMPTIED)})]
    quick = [True]

    def empty(conn):
        """The tables of cases and staff emptied and their ids begun again. DELETE with the row
        triggers off (the events' insert-only trigger, the foreign keys) takes about 6 ms where
        TRUNCATE takes about 57 (a new file for every table and index), some 20 s of a run's wall
        time over its PostgreSQL tests; it needs a superuser, as the suite's login is here and in CI,
        and TRUNCATE does it otherwise."""
        if quick[0]:
            try:
                with conn.begin_nested():
                    conn.execute(sa.text("SET LOCAL session_replication_role = replica"))
                    conn.execute(sa.text("; ".join(f"DELETE FROM {table}" for table in EMPTIED)))
                    conn.execute(sa.text("SELECT " + ", ".join(f"setval('{q}', 1, false)" for q in sequences)))
                    conn.execute(sa.text("SET LOCAL session_replication_role = origin"))
                return
            except sa.exc.DBAPIError:
                quick[0] = False
        conn.execute(sa.text(f"TRUNCATE {', '.join(EMPTIED)} RESTART IDENTITY CASCADE"))

    def reset():
        with engine.begin() as conn:
            empty(conn)
            conn.execute(sa.text("UPDATE alembic_version SET version_num = :v"), {"v": HEAD_REVISION})
            conn.execute(sa.text("UPDATE settings SET value = 'on' WHERE key = 'masking'"))
            # Recorded by events, as staff are: as on a new database, the config's rules recorded again.
            conn.execute(sa.text("DELETE FROM settings WHERE key LIKE 'region:%' OR key = 'rules'"))
            # As on a new database: the tables' owner (the suite's login) is the first administrator.
            ensure_administrator(conn, server.username, dt.datetime.now(dt.timezone.utc))
            record_first(conn, policy_rules(Policy()), dt.datetime.now(dt.timezone.utc))
            # As on a new database, the business calendar's tables hold the default config's calendar
            # (a test under another one, Europe/London's, leaves its own): otherwise the next test's
            # first command writes them, and a test that checks that a failed command wrote nothing
            # would see that.
            now = dt.datetime.now(dt.timezone.utc)
            if not business_days.current(conn, Policy(), now):
                business_days.ensure(conn, BusinessCalendar(Policy()), *business_days.years_wanted(now, None))

    yield url, reset
    engine.dispose()
    with admin.connect() as conn:
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request):
    if request.param == "postgresql":
        if not PG_URL:
            pytest.skip("PostgreSQL runs need COMPLAINTCTL_TEST_DATABASE_URL (README: Testing on PostgreSQL)")
        if request.node.get_closest_marker("sqlite_only"):
            pytest.skip("exercises SQLite files directly")
    return request.param


@pytest.fixture
def store(backend, tmp_path_factory, request):
    """A library Store (no CLI) on an empty database at the head revision, on either backend."""
    from complaintctl.db import Store

    if backend == "sqlite":
        s = Store(str(tmp_path_factory.mktemp("store") / "store.db"))
        s.ensure_schema()
    else:
        url, reset = request.getfixturevalue("pg_database")
        reset()
        s = Store(url)
    yield s
    s.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    """A database at the current schema, made once per worker; each test gets a copy (only init,
    demo and db upgrade create a database, so a test's database must exist before it starts)."""
    from complaintctl.db import Store

    path = tmp_path_factory.mktemp("template") / "complaints.db"
    store = Store(str(path))
    store.ensure_schema()
    store.dispose()
    return path


@pytest.fixture
def cli(backend, tmp_path, request):
    if backend == "sqlite":
        import shutil

        db = tmp_path / "complaints.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), db)
        os.chmod(db, 0o600)
        yield Cli(db)
        return
    url, reset = request.getfixturevalue("pg_database")
    reset()
    c = Cli(url)
    yield c
    if c._engine is not None:
        c._engine.dispose()
