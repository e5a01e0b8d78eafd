"""The TOML configuration: its defaults, validation, and where each effective value came from."""
from __future__ import annotations

import datetime as dt
import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from .errors import ConfigError
from .labels import EN, LANGS, ZH

DEFAULTS: dict[str, Any] = {
    "timezone": "Asia/Shanghai",
    "lang": "en",
    "branch": "",
    "calendar.country": "CN",
    "calendar.subdivision": "",
    "calendar.extra_holidays": [],
    "calendar.extra_workdays": [],
    "tiers.general.working_days": 3,
    "tiers.important.working_days": 5,
    "tiers.urgent.response_hours": 24,
    "regulatory.days": 15,
    "reopen_window_days": 30,
    "due_soon_working_days": 1,
    "database.busy_timeout_seconds": 30,
    "database.url": "",  # a file path or SQLAlchemy URL; init writes the --db it was given
    "bank.name": "",
    "bank.branch_name": "",
    "bank.address": "",
    "bank.phone": "",
    "letter.review_to": "",
    "letter.regulator_hotline": "12378",
    "letter.template": "",
}

INT_RANGES = {  # the whole numbers the config takes, each from and to
    "tiers.general.working_days": (1, 60),
    "tiers.important.working_days": (1, 60),
    "tiers.urgent.response_hours": (1, 240),
    "regulatory.days": (1, 90),
    "reopen_window_days": (1, 3650),
    "due_soon_working_days": (1, 30),
    "database.busy_timeout_seconds": (1, 3600),
}


def _flatten(data: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in data.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            out.update(_flatten(v, key + "."))
        else:
            out[key] = v
    return out


def check_value(key: str, value: Any) -> Any:
    default = DEFAULTS[key]
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise ConfigError("err.config_bool", key=key, value=value)
        return value
    if isinstance(default, int):
        lo, hi = INT_RANGES[key]
        if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
            raise ConfigError("err.config_int", key=key, lo=lo, hi=hi, value=value)
        return value
    if isinstance(default, list):
        if not isinstance(value, list):
            raise ConfigError("err.config_dates", key=key, value=value)
        days = []
        for item in value:
            if isinstance(item, dt.date) and not isinstance(item, dt.datetime):
                days.append(item)
                continue
            try:
                days.append(dt.date.fromisoformat(str(item)))
            except ValueError:
                raise ConfigError("err.config_date", key=key, item=item) from None
        return days
    if not isinstance(value, str):
        raise ConfigError("err.config_text", key=key, value=value)
    if key == "timezone":
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigError("err.config_timezone", value=value) from None
    if key == "lang" and value not in LANGS:
        raise ConfigError("err.config_lang", value=value)
    if key == "calendar.country":
        if value.upper() == DEFAULTS["calendar.country"]:  # known: no need to import holidays (~0.09 s) to check it
            return value.upper()
        import holidays

        if value.upper() not in holidays.list_supported_countries():
            raise ConfigError("err.config_country", value=value)
        return value.upper()
    return value


@dataclass
class Config:
    """Effective settings, each with the place it came from."""

    values: dict[str, Any]
    sources: dict[str, str]
    path: Path | None = None
    codes: Any = None  # the JR/T 0169 code book in force (codes.CodeBook), the [codes] table applied
    regions: dict[str, str] = field(default_factory=dict)  # branch -> region, from the [regions] table

    def __getitem__(self, key: str) -> Any:
        return self.values[key]

    def items(self):
        out = [(k, self.values[k], self.sources[k]) for k in DEFAULTS]
        if self.codes is not None:  # the bank's JR/T 0169 corrections, beside the settings
            from . import labels as std

            for f, mapping in self.codes.mapping.items():
                for key, code in mapping.items():
                    if std.JRT_0169_DEFAULT[f].get(key) != code:
                        out.append((f"codes.{f}.{key}", code, str(self.path)))
            for code in sorted(self.codes.overridden):
                out.append((f"codes.names.{code}", self.codes.names[code][1], str(self.path)))
        for branch, region in self.regions.items():
            out.append((f"regions.{branch}", region, str(self.path)))
        return out


def locale_lang(env: Mapping[str, str]) -> str | None:
    """`zh` when the locale names Chinese, `en` when it names another language, else None."""
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(var, "")
        if value and value not in ("C", "POSIX") and not value.startswith("C."):
            return ZH if value.lower().startswith(ZH) else EN
    return None


def load(path: Path | None, env: Mapping[str, str] | None = None, *, search: list[Path] | None = None) -> Config:
    """Read the first config file found (explicit path, else the search list) over the defaults.

    An explicit path that does not exist is an error; a missing file in the search list is not.
    """
    env = env or {}
    values = dict(DEFAULTS)
    sources = {k: "default" for k in DEFAULTS}
    lang = locale_lang(env)
    if lang:
        values["lang"], sources["lang"] = lang, "locale"
    chosen: Path | None = None
    if path is not None:
        if not path.is_file():
            raise ConfigError("err.config_missing", path=str(path))
        chosen = path
    else:
        for candidate in search or []:
            if candidate.is_file():
                chosen = candidate
                break
    code_table: dict[str, Any] = {}
    regions: dict[str, str] = {}
    if chosen is not None:
        try:
            data = tomllib.loads(chosen.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError("err.config_toml", path=str(chosen), why=str(exc)) from None
        except OSError as exc:
            raise ConfigError("err.config_unreadable", path=str(chosen), why=exc.strerror) from None
        code_table = data.pop("codes", None) or {}
        regions = check_regions(data.pop("regions", None), f"config file {str(chosen)!r}")
        if not isinstance(code_table, dict):
            raise ConfigError("err.config_codes_table", path=str(chosen))
        for key, value in _flatten(data).items():
            if key.startswith("masking"):
                raise ConfigError("err.config_masking", path=str(chosen), key=key)
            if key not in DEFAULTS:
                raise ConfigError("err.config_unknown_key", path=str(chosen), key=key, known=list(DEFAULTS))
            values[key] = check_value(key, value)
            sources[key] = str(chosen)
    from . import codes

    return Config(values, sources, chosen, codes.from_config(code_table, f"config file {str(chosen)!r}"), regions)


# The keys that decide deadlines and clocks. A database records the rules it is run under (the
# first administrator's config, or `config adopt`, an audited event each time); a config file may
# restate them, and anything it leaves out is the database's, but a file that says otherwise is
# refused: a deadline is never counted by the rules of whoever happens to run the command.
RULE_KEYS = ("timezone", "calendar.country", "calendar.subdivision", "calendar.extra_holidays",
             "calendar.extra_workdays", "tiers.general.working_days", "tiers.important.working_days",
             "tiers.urgent.response_hours", "regulatory.days", "reopen_window_days")
_SET_BY_NO_FILE = ("default", "locale", "database")


def rules_of(cfg: "Config") -> dict[str, Any]:
    """The deadline rules a config states (its own or the defaults), as the database records them."""
    return policy_rules(Policy.from_config(cfg))


def rules_given(cfg: "Config") -> dict[str, Any]:
    """The deadline rules a config file itself sets (not those it leaves to the defaults)."""
    mine = rules_of(cfg)
    return {k: mine[k] for k in RULE_KEYS if cfg.sources[k] not in _SET_BY_NO_FILE}


def policy_rules(p: "Policy") -> dict[str, Any]:
    """A policy's deadline rules, under RULE_KEYS, as the database records them (JSON: dates as ISO
    text, in order)."""
    return {"timezone": p.timezone, "calendar.country": p.country, "calendar.subdivision": p.subdivision or "",
            "calendar.extra_holidays": sorted(x.isoformat() for x in p.extra_holidays),
            "calendar.extra_workdays": sorted(x.isoformat() for x in p.extra_workdays),
            "tiers.general.working_days": p.general_days, "tiers.important.working_days": p.important_days,
            "tiers.urgent.response_hours": p.urgent_response_hours, "regulatory.days": p.regulatory_days,
            "reopen_window_days": p.reopen_window_days}


def policy_under(p: "Policy", rules: dict[str, Any]) -> "Policy":
    """`p` with recorded deadline rules (as policy_rules gives them) in its place."""
    from dataclasses import replace

    return replace(p, timezone=rules["timezone"], country=rules["calendar.country"],
                   subdivision=rules["calendar.subdivision"] or None,
                   extra_holidays=frozenset(dt.date.fromisoformat(x) for x in rules["calendar.extra_holidays"]),
                   extra_workdays=frozenset(dt.date.fromisoformat(x) for x in rules["calendar.extra_workdays"]),
                   general_days=rules["tiers.general.working_days"],
                   important_days=rules["tiers.important.working_days"],
                   urgent_response_hours=rules["tiers.urgent.response_hours"], regulatory_days=rules["regulatory.days"],
                   reopen_window_days=rules["reopen_window_days"])


def under_rules(cfg: "Config", recorded: dict[str, Any] | None, *, strict: bool = True) -> "Config":
    """`cfg` with the database's recorded rules in force (None: none recorded yet, `cfg` as it is).
    ConfigError when the config file sets a rule to another value (unless not `strict`: `config
    adopt`, which reads the file's apart)."""
    if not recorded:
        return cfg
    mine = rules_of(cfg)
    for key in RULE_KEYS:
        if strict and key in recorded and mine[key] != recorded[key] and cfg.sources[key] not in _SET_BY_NO_FILE:
            raise ConfigError("err.rules_differ", path=cfg.sources[key], key=key, mine=_shown(mine[key]),
                              recorded=_shown(recorded[key]))
    values, sources = dict(cfg.values), dict(cfg.sources)
    for key in RULE_KEYS:
        if key in recorded:
            values[key] = check_value(key, recorded[key])
            sources[key] = "database"
    return Config(values, sources, cfg.path, cfg.codes, cfg.regions)


def _shown(value: Any) -> str:
    return "[" + ", ".join(value) + "]" if isinstance(value, list) else repr(value) if isinstance(value, str) else str(value)


REGION_NAME_LIMIT = 200


def check_regions(table: Any, where: str = "config") -> dict[str, str]:
    """The [regions] table: each branch code (as `log --branch` records it) mapped to the region the
    quarterly return groups it under, such as `BJ001 = "Beijing"`. A bad entry is a ConfigError."""
    if table is None:
        return {}
    if not isinstance(table, dict):
        raise ConfigError("err.regions_table", where=where)
    out: dict[str, str] = {}
    for branch, region in table.items():
        name = branch.strip()
        if not name or len(name) > REGION_NAME_LIMIT or not name.isprintable():
            raise ConfigError("err.region_branch", where=where, branch=branch)
        if not isinstance(region, str) or not region.strip() or len(region.strip()) > REGION_NAME_LIMIT \
                or not region.strip().isprintable():
            raise ConfigError("err.region_name", where=where, branch=name, limit=REGION_NAME_LIMIT,
                               got="a table" if isinstance(region, dict) else repr(region))
        out[name] = region.strip()
    return out


def render_toml(values: Mapping[str, Any]) -> str:
    """Write flat settings back as TOML (used by `init`); only simple types occur here."""
    def fmt(v: Any) -> str:
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, int):
            return str(v)
        if isinstance(v, list):
            return "[" + ", ".join(text(x) for x in v) + "]"
        return text(v)

    def text(v: Any) -> str:
        # A TOML basic string: JSON's escapes are TOML's (quote, backslash, control characters as
        # \n or \uXXXX), but for DEL, which TOML also wants escaped (a path may hold any of them).
        return json.dumps(str(v), ensure_ascii=False).replace("\x7f", "\\u007F")

    top, tables = [], {}
    for key, value in values.items():
        if "." in key:
            table, _, leaf = key.rpartition(".")
            tables.setdefault(table, []).append(f"{leaf} = {fmt(value)}")
        else:
            top.append(f"{key} = {fmt(value)}")
    out = "\n".join(top) + "\n"
    for table, lines in tables.items():
        out += f"\n[{table}]\n" + "\n".join(lines) + "\n"
    return out


@dataclass(frozen=True)
class Policy:
    """The time limits and calendar settings that deadline rules need, taken from config."""

    timezone: str = "Asia/Shanghai"
    country: str = "CN"
    subdivision: str | None = None
    extra_holidays: frozenset = field(default_factory=frozenset)
    extra_workdays: frozenset = field(default_factory=frozenset)
    general_days: int = 3
    important_days: int = 5
    urgent_response_hours: int = 24
    regulatory_days: int = 15
    reopen_window_days: int = 30
    due_soon_working_days: int = 1

    @classmethod
    def from_config(cls, cfg: Config) -> "Policy":
        return cls(
            timezone=cfg["timezone"],
            country=cfg["calendar.country"],
            subdivision=cfg["calendar.subdivision"] or None,
            extra_holidays=frozenset(cfg["calendar.extra_holidays"]),
            extra_workdays=frozenset(cfg["calendar.extra_workdays"]),
            general_days=cfg["tiers.general.working_days"],
            important_days=cfg["tiers.important.working_days"],
            urgent_response_hours=cfg["tiers.urgent.response_hours"],
            regulatory_days=cfg["regulatory.days"],
            reopen_window_days=cfg["reopen_window_days"],
            due_soon_working_days=cfg["due_soon_working_days"],
        )
