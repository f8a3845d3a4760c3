"""JSON answers files are read without YAML when YAML would read them the same way,
and an error in one still names its line and column."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from escalate_cli import safe_yaml
from escalate_cli.cli import app

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(st.characters(blacklist_categories=("Cs",)), max_size=20)
)
DOCUMENTS = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
).filter(lambda value: isinstance(value, (list, dict)))


@settings(max_examples=300, deadline=None)
@given(DOCUMENTS, st.booleans())
def test_json_reads_as_yaml_would(value: object, indent: bool) -> None:
    text = json.dumps(value, indent=2 if indent else None, ensure_ascii=False)
    fast = safe_yaml.parse_document(text, "doc.json")
    try:
        as_yaml = safe_yaml.parse(text, "doc.json")
    except safe_yaml.DocumentError:
        assert fast.data == json.loads(text)  # what the JSON fallback always gave
        return
    assert fast.data == as_yaml.data
    keys = value if isinstance(value, dict) else range(len(value))
    assert [fast.where((key,)) for key in keys] == [as_yaml.where((key,)) for key in keys]


def test_a_json_answers_file_is_read_without_yaml(tmp_path: Path) -> None:
    path = tmp_path / "answers.json"
    path.write_text(json.dumps({"cancel_threat": "yes", "triggers": ["overpromised"]}))
    code = (
        "import sys; from escalate_cli import answers; "
        f"answers.read({str(path)!r}); print('yaml' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "False", out.stderr


def test_an_error_in_a_json_answers_file_names_line_and_column(runner, tmp_path: Path) -> None:
    path = tmp_path / "answers.json"
    path.write_text('{\n  "cancel_threat": "yes",\n  "deal_at_risk": "maybe"\n}\n')
    result = runner.invoke(app, ["assess", "--answers", str(path), "--no-input"])
    assert result.exit_code == 2
    assert f"{path}:3:3: deal_at_risk" in result.stderr


def test_exponents_take_the_yaml_way_and_duplicates_are_refused() -> None:
    assert safe_yaml.parse_document('{"a": 1e5}', "x").data == {"a": "1e5"}
    with pytest.raises(safe_yaml.DocumentError, match="duplicate key 'a'"):
        safe_yaml.parse_document('{"a": 1,\n "a": 2}', "x.json")


def test_a_file_named_json_is_read_as_json_only(runner, tmp_path: Path) -> None:
    path = tmp_path / "answers.json"
    path.write_text("tried_to_resolve: yes\ncancel_threat: no\n")  # YAML, not JSON
    result = runner.invoke(app, ["assess", "--answers", str(path), "--no-input"])
    assert result.exit_code == 2
    message, hint = result.stderr.strip().splitlines()[-2:]
    assert message == f"escalate: error: {path}:1:1: not valid JSON: Expecting value"
    assert "read as JSON" in hint and "name the file .yaml" in hint
    path.write_text('{"cancel_threat": "no",\n "cancel_threat": "yes"}')
    result = runner.invoke(app, ["assess", "--answers", str(path), "--no-input"])
    assert result.exit_code == 2
    assert f"{path}:2:2: duplicate key 'cancel_threat'" in result.stderr
