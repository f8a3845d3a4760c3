"""The benchmark measures the tool as a user runs it: its own data folders, and bytecode."""

from __future__ import annotations

from conftest import load_benchmark

bench = load_benchmark("bench")


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
