"""Partner names as people type them: what is one partner, what is probably a typo."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from escalate_cli.identity import Known, match, name_key, resolve_owner, suggestion

KNOWN = [
    Known(1, "Northwind Logistics", "Northwind Logistics"),
    Known(1, "Northwind Logistics", "NWL"),
    Known(2, "Acme Corp", "Acme Corp"),
    Known(3, "Globex", "Globex"),
]


@pytest.mark.parametrize(
    "typed",
    [
        "northwind logistics",
        "NORTHWIND  LOGISTICS.",
        "Northwind-Logistics",
        " northwind_logistics ",
    ],
)
def test_case_spacing_and_punctuation_do_not_matter(typed: str) -> None:
    found = match(typed, KNOWN)
    assert found.exact is not None and found.exact.partner == "Northwind Logistics"


def test_an_alias_means_its_partner() -> None:
    found = match("n.w.l.", KNOWN)
    assert found.exact == Known(1, "Northwind Logistics", "NWL")


@pytest.mark.parametrize(
    ("typed", "close"),
    [
        ("Nortwind Logistics", ["Northwind Logistics"]),
        ("Northwind Logistcs", ["Northwind Logistics"]),
        ("Northwind", ["Northwind Logistics"]),
        ("Acme Crop", ["Acme Corp"]),
        ("Acme", ["Acme Corp"]),
        ("Initech", []),
        ("Glo", []),  # too short to be taken as the start of a name
        ("North Star", []),
        ("Globex 2", []),  # a number tells names apart on purpose
    ],
)
def test_close_names(typed: str, close: list[str]) -> None:
    found = match(typed, KNOWN)
    assert found.exact is None
    assert [item.partner for item in found.close] == close


def test_suggestion_names_each_partner_once() -> None:
    assert suggestion(match("Nortwind Logistic", KNOWN).close) == (
        "did you mean 'Northwind Logistics'?"
    )


@pytest.mark.parametrize(
    ("typed", "known"),
    [
        ("Cafe Muller GmbH", "Café Müller GmbH"),
        ("CAFÉ MÜLLER", "cafe muller"),
        ("Strasse AG", "Straße AG"),
        ("Ostergaard", "Østergaard"),
        ("Aero Fjord", "Ærø Fjord"),
        ("Lodz Logistics", "Łódź Logistics"),
        ("Oeuvre", "Œuvre"),
        ("Sao Paulo", "São Paulo"),
        ("Dong A", "Đông Á"),
        ("Athina", "Athína"),
    ],
)
def test_accents_do_not_matter(typed: str, known: str) -> None:
    assert name_key(typed) == name_key(known)


def test_marks_that_make_another_letter_outside_latin_greek_cyrillic_count() -> None:
    """か and が are two kana, not one letter with an accent."""
    assert name_key("かき") != name_key("がき")
    assert name_key("Ελλάδα") == name_key("Ελλαδα") and name_key("Ёлка") == name_key("Елка")


def test_a_typo_in_an_accented_name_is_close_to_it() -> None:
    known = [Known(1, "Café Müller GmbH", "Café Müller GmbH")]
    assert [item.partner for item in match("Cafe Mulller GmbH", known).close] == [
        "Café Müller GmbH"
    ]
    assert match("CAFE MULLER gmbh", known).exact == known[0]


def test_a_name_two_partners_share_is_theirs_only_when_typed_exactly() -> None:
    """Two partners an older store kept apart (their names differ only in accents)."""
    both = [
        Known(1, "Café Müller GmbH", "Café Müller GmbH"),
        Known(2, "Cafe Muller GmbH", "Cafe Muller GmbH"),
        Known(3, "Globex", "Globex"),
    ]
    assert match("Café Müller GmbH", both).exact == both[0]
    assert match("cafe muller  gmbh", both).exact == both[1]  # case and spacing aside
    found = match("Cafe Müller GmbH", both)
    assert found.exact is None and found.close == () and found.same == (both[1], both[0])
    assert match("Globex", both).same == ()


def test_a_name_of_punctuation_still_has_a_key() -> None:
    assert name_key("!!!") == "!!!" and name_key("?") != name_key("!!!")


@given(st.text(max_size=40))
def test_every_name_matches_itself(name: str) -> None:
    if not name.split():
        return
    found = match(name, [Known(9, name, name)])
    assert found.exact is not None


@pytest.mark.parametrize(
    ("owner", "resolved"),
    [("me", "Dana Smith"), ("I", "Dana Smith"), (" Me ", "Dana Smith"), ("Jordan", "Jordan")],
)
def test_me_is_the_user(owner: str, resolved: str) -> None:
    assert resolve_owner(owner, "Dana Smith") == resolved
