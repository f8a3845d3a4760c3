"""`@record` behaves as `@dataclass(frozen=True)` does, with methods shared, not generated."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from escalate_cli.records import record


@record
class Item:
    """A record with every kind of field a playbook part has."""

    name: str
    count: int = 0
    tags: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Twin:
    """The same fields as a generated frozen dataclass, to compare against."""

    name: str
    count: int = 0
    tags: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)


@record
class Checked:
    """A record whose __post_init__ normalises a field, as playbook conditions do."""

    text: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "text", self.text.strip())


values = st.tuples(st.text(max_size=5), st.integers(), st.lists(st.text(max_size=3)).map(tuple))


@given(values, values)
def test_equality_hash_and_repr_match_a_frozen_dataclass(a: Any, b: Any) -> None:
    items, twins = Item(*a), Item(*b)
    twin_a, twin_b = Twin(*a), Twin(*b)
    assert (items == twins) == (twin_a == twin_b)
    assert repr(items).removeprefix("Item") == repr(twin_a).removeprefix("Twin")
    assert hash(Item(*a, extra=None)) == hash(Twin(*a, extra=None))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="unhashable"):
        hash(items)  # a dict field: unhashable, as in the dataclass


def test_constructor_takes_positions_names_and_defaults() -> None:
    assert vars(Item("a", 2, tags=("x",))) == {"name": "a", "count": 2, "tags": ("x",), "extra": {}}
    assert list(vars(Item(count=1, name="b"))) == ["name", "count", "tags", "extra"]
    first, second = Item("a"), Item("a")
    assert first.extra == {} and first.extra is not second.extra  # a factory per instance
    assert Item("a") != Twin("a") and Item("a") != ("a", 0, (), {})


@pytest.mark.parametrize(
    "args, kwargs, problem",
    [
        ((), {}, "missing required argument 'name'"),
        (("a", 1, (), {}, 5), {}, "takes 4 arguments but 5 were given"),
        (("a",), {"name": "b"}, "multiple values for argument 'name'"),
        (("a",), {"colour": "red"}, "unexpected argument 'colour'"),
    ],
)
def test_wrong_arguments_are_refused_as_a_dataclass_refuses_them(
    args: tuple[Any, ...], kwargs: dict[str, Any], problem: str
) -> None:
    with pytest.raises(TypeError, match=problem):
        Item(*args, **kwargs)


@given(values)
def test_every_field_by_position_is_the_same_record_as_by_name(a: Any) -> None:
    """All fields in order take a shorter path; it must build the same record."""
    name, count, tags = a
    by_position = Item(name, count, tags, {"k": count})
    by_name = Item(name=name, count=count, tags=tags, extra={"k": count})
    assert by_position == by_name and repr(by_position) == repr(by_name)
    assert dataclasses.asdict(by_position) == dataclasses.asdict(
        Twin(name, count, tags, {"k": count})
    )
    assert Checked("  padded ").text == "padded"  # __post_init__ runs on that path too


def test_frozen() -> None:
    item = Item("a")
    with pytest.raises(dataclasses.FrozenInstanceError):
        item.name = "b"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        del item.count  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        item.other = 1  # type: ignore[attr-defined]
    assert item.name == "a"


def test_post_init_runs_and_the_dataclass_helpers_work() -> None:
    assert Checked("  padded  ").text == "padded"
    assert dataclasses.is_dataclass(Item)
    assert [f.name for f in dataclasses.fields(Item)] == ["name", "count", "tags", "extra"]
    changed = dataclasses.replace(Item("a", 1), count=2)
    assert changed == Item("a", 2)
    assert dataclasses.asdict(changed) == {"name": "a", "count": 2, "tags": (), "extra": {}}
    assert dataclasses.replace(Checked("x"), text=" y ").text == "y"


def test_pydantic_validates_a_record_and_runs_post_init() -> None:
    from pydantic import TypeAdapter, ValidationError

    assert TypeAdapter(Item).validate_python({"name": "a", "tags": ["x"]}) == Item("a", tags=("x",))
    assert TypeAdapter(Checked).validate_python({"text": " y "}).text == "y"
    with pytest.raises(ValidationError):
        TypeAdapter(Item).validate_python({"count": 1})


@record
class Stored:
    """A record with fields left out of equality and of repr, as the store's records have."""

    text: str
    uid: str = field(default="", compare=False)
    blob: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class StoredTwin:
    text: str
    uid: str = field(default="", compare=False)
    blob: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


@given(st.text(max_size=3), st.text(max_size=3), st.text(max_size=3), st.text(max_size=3))
def test_fields_left_out_of_comparison_and_repr_as_in_a_dataclass(
    text: str, other: str, uid: str, other_uid: str
) -> None:
    ours = Stored(text, uid, {"x": uid}), Stored(other, other_uid)
    twins = StoredTwin(text, uid, {"x": uid}), StoredTwin(other, other_uid)
    assert (ours[0] == ours[1]) == (twins[0] == twins[1])
    assert (hash(ours[0]) == hash(ours[1])) == (hash(twins[0]) == hash(twins[1]))
    assert repr(ours[0]).removeprefix("Stored") == repr(twins[0]).removeprefix("StoredTwin")
    assert Stored("a", "1") == Stored("a", "2") and Stored("a") != Stored("b")
    assert "blob" not in repr(ours[0]) and ours[0].blob == {"x": uid}


def test_field_options_and_misordered_defaults_are_refused() -> None:
    with pytest.raises(TypeError, match="takes no such option"):

        @record
        class Hidden:
            """A field hashed apart from equality: not something a record supports."""

            secret: str = field(default="", hash=False)

    with pytest.raises(TypeError, match="takes no such option"):

        @record
        class KeywordOnly:
            """A keyword-only field: not something a record supports."""

            secret: str = field(default="", kw_only=True)

    with pytest.raises(TypeError, match="needs a default after"):

        @record
        class Misordered:
            """A field without a default after one with a default."""

            first: int = 0
            second: int  # type: ignore[misc]


def test_a_record_without_a_docstring_gets_one_naming_its_fields() -> None:
    @record
    class Bare:
        first: int
        second: str = ""

    assert Bare.__doc__ == "Bare(first, second)"
    assert Item.__doc__ == "A record with every kind of field a playbook part has."


def test_the_stores_results_are_records_comparing_content_as_before() -> None:
    from escalate_cli import records
    from escalate_cli.store.sqlite import Escalation, Note, Partner

    assert Note.__init__ is records._init and Partner.__doc__ == "Partner(id, name)"
    note = Note(1, "Acme", "trigger", "x", None, None, None, "2026-12-01", "u1", "t1")
    same = Note(1, "Acme", "trigger", "x", None, None, None, "2026-12-01", uid="u2")
    assert note == same and hash(note) == hash(same)  # the stable id is not content
    assert note != dataclasses.replace(same, text="y")
    brief = Escalation(1, "", "2026-12-01", "brief", "", [], "", "", "", drafts={"a": "b"})
    assert "drafts" not in repr(brief) and brief == dataclasses.replace(brief, drafts={})
