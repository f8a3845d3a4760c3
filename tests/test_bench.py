"""The benchmark measures the tool as a user runs it: its own data folders, and bytecode."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("bench", ROOT / "benchmarks" / "bench.py")
assert spec and spec.loader
bench = importlib.util.module_from_spec(spec)
sys.modules["bench"] = bench  # dataclasses look their module up while it loads
spec.loader.exec_module(bench)


def test_each_measurement_gets_its_own_environment(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("ESCALATE_PLAYBOOK", "/somewhere/else.yaml")
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")
    monkeypatch.setenv("LANG", "C.UTF-8")
    ctx = bench.Context(escalate="escalate", scratch=tmp_path)
    home = ctx.home("lint")
    env = ctx.env(home)
    assert env["ESCALATE_HOME"] == str(home)
    assert env["XDG_CONFIG_HOME"] == str(tmp_path / "config")
    assert "ESCALATE_PLAYBOOK" not in env
    assert "PYTHONDONTWRITEBYTECODE" not in env  # every run would compile the source again
    assert env["LANG"] == "C.UTF-8"
