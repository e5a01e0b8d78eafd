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
