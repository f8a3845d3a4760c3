"""Shared fixtures: every test runs with its own data home and the bundled playbook."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from escalate_cli.playbook import Playbook, bundled_path, load

CHECKLIST = [
    "tried_to_resolve",
    "knows_root_cause",
    "communicated_transparently",
    "clear_ask",
    "right_time",
    "manager_briefed",
]
SIGNALS = [
    "cancel_threat",
    "relationship_at_risk",
    "needs_leadership_authority",
    "asked_for_manager",
    "beyond_your_ability",
    "deal_at_risk",
]
ASSESS_IDS_NO = {
    "tried_to_resolve": False,
    "knows_root_cause": False,
    "communicated_transparently": False,
    "clear_ask": False,
    "right_time": False,
    "manager_briefed": False,
    "cancel_threat": False,
    "relationship_at_risk": False,
    "needs_leadership_authority": False,
    "asked_for_manager": False,
    "beyond_your_ability": False,
    "deal_at_risk": False,
    "routine_technical_issue": False,
    "just_venting": False,
    "your_level": False,
    "customer_checked_out": False,
    "triggers": [],
}


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    monkeypatch.setenv("ESCALATE_HOME", str(home))
    monkeypatch.delenv("ESCALATE_PLAYBOOK", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("PAGER", "cat")  # a test that pages says which pager
    return home


@pytest.fixture(scope="session")
def book() -> Playbook:
    return load(bundled_path())


@pytest.fixture(scope="session")
def default_text() -> str:
    return bundled_path().read_text(encoding="utf-8")


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def answers(**overrides: object) -> dict[str, object]:
    """A full set of assess answers: everything no, except what the test says."""
    return {**ASSESS_IDS_NO, **overrides}


def write_yaml(path: Path, data: object) -> Path:
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path
