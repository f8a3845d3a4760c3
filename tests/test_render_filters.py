"""The template filters that make any shape of answer read well: pure, total, and
registered in the sandbox (where user answers stay data)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from escalate_cli.playbook import bundled_path, load
from escalate_cli.render import (
    FILTERS,
    bullets,
    by_time,
    clause,
    environment,
    first_name,
    items,
    labels_of,
    long_date,
    points,
    sentence,
    their,
    when,
    zoned,
)

answers = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    max_size=80,
)
words = st.lists(
    st.text(alphabet=st.characters(whitelist_categories=("Ll", "Lu", "Nd")), min_size=1),
    min_size=1,
    max_size=6,
).map(" ".join)
endings = st.sampled_from(["", ".", "..", "!", "?", "...", " .", ";", ",", ":", "\u2026", "  \n"])


@given(words, endings)
def test_a_sentence_ends_exactly_once(body: str, ending: str) -> None:
    result = sentence(body + ending)
    assert result[-1] in ".?!"
    assert result[-2] not in ".?!,;:\u2026 "
    assert result[1:-1] == body[1:]  # only the first letter and the ending may change


@given(answers)
def test_sentence_never_doubles_its_final_punctuation(text: str) -> None:
    result = sentence(text)
    if result:
        assert not re.search(r"[.!?,;:\u2026]\s*[.!?]$", result)
        assert result == result.strip()
        assert "\n" not in result


@given(answers)
def test_clause_is_one_line_with_no_trailing_punctuation(text: str) -> None:
    result = clause(text)
    assert "\n" not in result
    assert result == result.rstrip(".,;:!?\u2026 \t")


@given(answers)
def test_bullets_and_points_give_one_sentence_per_point(text: str) -> None:
    found = items(text)
    listed = bullets(text)
    assert listed.count("\n") == max(len(found) - 1, 0)
    pointed = points(text)
    if len(found) == 1:
        assert pointed == " " + sentence(found[0])
    else:
        assert pointed == "".join("\n" + line for line in listed.splitlines())


def test_items_drop_bullets_numbers_and_empty_lines() -> None:
    typed = "- Reproduced it\n\n* Rolled back.\n2. Asked support\n3) Waited\n\u2022 Escalated"
    assert items(typed) == [
        "Reproduced it",
        "Rolled back.",
        "Asked support",
        "Waited",
        "Escalated",
    ]
    assert items("i. Restarted the job\nii. Re-sent the file\nb) Called Dana") == [
        "Restarted the job",
        "Re-sent the file",
        "Called Dana",
    ]
    assert items("I rang them.\nA quick fix held.") == ["I rang them.", "A quick fix held."]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("this sprint.", "This sprint."),
        ("fix date..", "Fix date."),
        ("which I cannot decide", "Which I cannot decide."),
        ("can we honour the old price?", "Can we honour the old price?"),
        ("iPhone users cannot log in", "iPhone users cannot log in."),
        ("SSO is down", "SSO is down."),
        ('they said "never again."', 'They said "never again."'),
        ("  disappointed, and worried  ", "Disappointed, and worried."),
        ("re-sent the missed reminders", "Re-sent the missed reminders."),
        ("we've re-sent the reminders", "We've re-sent the reminders."),
        ("e-mail-only customers", "E-mail-only customers."),
        ("", ""),
    ],
)
def test_sentence_examples(typed: str, expected: str) -> None:
    assert sentence(typed) == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Dana Whitfield", "Dana"),
        ("Whitfield, Dana", "Dana"),
        ("Dr. Amara Okafor", "Amara"),
        ("Ms Grace Liu", "Grace"),
        ("anna (Head of Legal)", "Anna"),
        ("McKenzie", "McKenzie"),
        ("Dana Whitfield, VP Operations", "Dana"),
        ("Dana Whitfield, Director of IT", "Dana"),
        ("Lee Chen, CTO", "Lee"),
        ("Sam Ortiz, Head of Finance", "Sam"),
        ("Okafor, Amara", "Amara"),
        ("", ""),
    ],
)
def test_first_name(typed: str, expected: str) -> None:
    assert first_name(typed) == expected


@given(answers)
def test_first_name_is_one_word(text: str) -> None:
    assert len(first_name(text).split()) <= 1 or "," in text or not text.split()


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Friday noon", "by Friday noon"),
        ("by Friday noon.", "by Friday noon"),
        ("Thursday by 5pm CET", "Thursday by 5pm CET"),
        ("tomorrow at 10am", "tomorrow at 10am"),
        ("end of day Thursday", "by end of day Thursday"),
        ("friday noon", "by Friday noon"),
        ("tomorrow or monday at the latest", "tomorrow or Monday at the latest"),
        ("", ""),
    ],
)
def test_by_time(typed: str, expected: str) -> None:
    assert by_time(typed) == expected


def test_when_capitalises_weekdays_and_nothing_else() -> None:
    assert when("thursday at 3pm ET.") == "Thursday at 3pm ET"
    assert when("next sunday or the monday after") == "next Sunday or the Monday after"
    assert when("a fridayish slot") == "a fridayish slot"


def test_long_date_reads_iso_dates_and_leaves_other_text_alone() -> None:
    assert long_date("2026-12-04") == "Friday 4 December"
    assert long_date("next week") == "next week"
    assert long_date("") == ""


def test_their_speaks_of_the_customer_where_a_commitment_spoke_to_them() -> None:
    assert their("Refund your duplicate charges") == "Refund their duplicate charges"
    assert their("Your data is yours") == "Their data is theirs"
    assert their("Call you about Younger's yourself") == "Call you about Younger's yourself"
    mixed = "The integration you planned your launch around"
    assert their(mixed) == mixed  # not "you planned their launch"


@pytest.mark.parametrize(
    ("typed", "drafted"),
    [
        ("Thursday at 3pm", "Thursday at 3pm ET"),
        ("Friday noon", "Friday noon ET"),
        ("by 5pm Friday", "by 5pm ET Friday"),
        ("tomorrow at 10", "tomorrow at 10 ET"),
        ("Tuesday 10:30", "Tuesday 10:30 ET"),
        ("3pm CET Tuesday", "3pm CET Tuesday"),  # a zone given is kept
        ("3pm UTC+1", "3pm UTC+1"),
        ("2pm London time", "2pm London time"),
        ("Monday", "Monday"),  # no time of day, no zone
        ("Friday at 12/3", "Friday at 12/3"),
    ],
)
def test_zoned_puts_the_senders_time_zone_after_a_time_that_names_none(
    typed: str, drafted: str
) -> None:
    assert zoned(typed, "ET") == drafted


def test_filters_are_registered_in_the_sandbox_and_answers_stay_data() -> None:
    env = environment()
    assert set(FILTERS) <= set(env.filters)
    template = env.from_string("{{ answer|sentence }}|{{ answer|first_name }}")
    assert template.render(answer="{{ 7*7 }}") == "{{ 7*7 }}.|{{"


def test_the_labels_before_an_answer_are_found_in_the_template() -> None:
    """`labels_of`: the bundled manager brief writes how they feel and what they want
    after labels of their own, which the coach reads as the customer's view."""
    book = load(bundled_path())
    views = {"sentiment", "customer_wants"}
    assert labels_of(book, "manager_brief", views) == ("How they feel:", "What they want:")
    assert labels_of(book, "customer_message", views) == ()
