"""README documents every command, and its test command is the one CI runs."""
from pathlib import Path

import pytest

from tests.cli.test_people import ALL_COMMANDS

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("path", ALL_COMMANDS)
def test_every_command_has_a_section_in_the_readme(path):
    assert f"### complaintctl {path}\n" in README, f"README lacks a section for 'complaintctl {path}'"


def test_ci_runs_the_readme_test_command():
    ci = (Path(__file__).resolve().parents[1] / ".ci" / "run").read_text()
    command = ci.strip().splitlines()[-1]
    assert command in README


def test_the_readme_exit_code_table_is_cli_errors_table():
    import re

    from complaintctl_cli.errors import ExitStatus

    section = README.split("## Exit codes\n", 1)[1].split("\n## ", 1)[0]
    documented = [int(code) for code in re.findall(r"^\| (\d+) \|", section, flags=re.M)]
    assert documented == sorted(int(s) for s in ExitStatus)


def test_library_errors_carry_no_exit_codes_and_each_kind_maps_to_one():
    import inspect

    from complaintctl import errors
    from complaintctl_cli.errors import ExitStatus, exit_status

    kinds = [c for _, c in inspect.getmembers(errors, inspect.isclass) if issubclass(c, errors.ComplaintctlError)]
    assert not [c.__name__ for c in kinds if "exit_code" in vars(c)]
    expected = {errors.OverdueFound: ExitStatus.OVERDUE, errors.NotPermitted: ExitStatus.NOT_PERMITTED,
                errors.InvalidValue: ExitStatus.USER, errors.ConfigError: ExitStatus.USER,
                errors.CheckFailed: ExitStatus.ENVIRONMENT, errors.DatabaseBusy: ExitStatus.ENVIRONMENT}
    for cls, code in expected.items():
        exc = cls.__new__(cls)
        assert exit_status(exc) == code, cls.__name__
