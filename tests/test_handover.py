"""The handover document, assembled from records: what happened, what was only advice."""

from __future__ import annotations

import datetime as dt

from escalate_cli import handover
from escalate_cli.playbook import Playbook
from escalate_cli.store import Escalation, Note, Outcome

NOW = dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.timezone.utc)


def record(**fields: object) -> Escalation:
    base: dict[str, object] = {
        "id": 1,
        "partner": "Acme",
        "date": "2026-11-20",
        "kind": "assessment",
        "verdict": "escalate_now",
        "reasons": [],
        "issue": "",
        "root_cause": "",
        "ask": "",
    }
    told = str(fields.pop("outcome", ""))  # recorded on the record's own date
    date = str(fields.get("date", base["date"]))
    outcomes = (Outcome(1, date, told),) if told else ()
    return Escalation(**{**base, **fields, "outcomes": outcomes})  # type: ignore[arg-type]


def document(*escalations: Escalation, notes: tuple[Note, ...] = (), guidance=()) -> str:
    doc = handover.assemble("Acme", list(notes), list(escalations), [], "", NOW, guidance)
    return handover.to_markdown(doc)


def section(text: str, title: str) -> str:
    """The body of one `## title` section."""
    body = text.split(f"## {title}\n", 1)[1]
    return body.split("\n## ", 1)[0]


def test_an_assessment_alone_is_no_past_escalation() -> None:
    """Finding 5: one `assess --partner` saying escalate was counted as an escalation."""
    text = document(record(reasons=["A customer who talks about leaving …"]))
    assert "- Past escalations: 0\n" in text
    assert "- Assessments only (advice before a call, not escalations): 1" in text
    assert "Nothing recorded." in section(text, "Escalation history")
    assert "2026-11-20: assessment that said escalate now\n" in section(text, "Assessments")


def test_an_assessment_acted_on_counts_once_with_its_brief() -> None:
    acted = record(outcome="VP call held")
    brief = record(id=2, kind="brief", verdict="", issue="outage")
    text = document(acted, brief)
    assert "- Past escalations: 1 (last: 2026-11-20, brief)" in text
    history = section(text, "Escalation history")
    assert "assessment that said escalate now, acted on" in history
    # the assessment and the brief that followed it are one entry (issue 12)
    assert "- 2026-11-20: assessment that said escalate now, acted on, then brief\n" in history
    assert "  - outcome: 2026-11-20: VP call held" in history
    assert "## Assessments\n" not in text


def test_escalation_notes_count_and_sit_in_the_history() -> None:
    note = Note(
        1, "Acme", "escalation", "Q3 outage, five days silent", "2026-09-14", None, None, ""
    )
    text = document(record(verdict="not_yet"), notes=(note,))
    assert "- Past escalations: 1\n" in text
    assert "2026-09-14: Q3 outage" in section(text, "Escalation history")


def test_history_names_signs_and_triggers_in_words_and_the_verdict_in_words() -> None:
    item = record(
        verdict="escalate",
        reasons=["A reason to escalate is present …", "Revenue is at stake."],
        signals=["Revenue is at stake.", "The customer is letting off steam."],
        triggers=["We promised more than we delivered"],
        outcome="renewal signed",
    )
    entry = section(document(item), "Escalation history")
    assert "assessment that said escalate, acted on\n" in entry and "escalate\\_now" not in entry
    assert "  - signs present: Revenue is at stake. The customer is letting off steam." in entry
    assert "  - triggers: We promised more than we delivered" in entry
    assert "  - why: A reason to escalate is present …\n" in entry  # the sign is not repeated
    assert "  - outcome: 2026-11-20: renewal signed" in entry


def test_a_briefs_reasons_read_as_two_things_not_one() -> None:
    """A brief records its reasons as fragments without a full stop ("they wanted: ...");
    run together with a space they read as one ("... for the fix not resolved: ...")."""
    item = record(
        kind="brief",
        verdict="",
        reasons=["they wanted: a date for the fix", "not resolved: it needs a schema change"],
    )
    entry = section(document(item), "Escalation history")
    assert (
        "  - why: they wanted: a date for the fix; not resolved: it needs a schema change\n"
        in entry
    )
    both = record(kind="brief", reasons=["Revenue is at stake.", "they wanted: a call", "Trust…"])
    entry = section(document(both), "Escalation history")
    assert "  - why: Revenue is at stake. they wanted: a call; Trust…\n" in entry


def test_only_the_latest_record_asks_for_its_outcome() -> None:
    text = document(record(), record(id=2, date="2026-11-25", verdict="not_yet"))
    assert text.count("outcome: not recorded yet") == 1
    assert "- 2026-11-25: assessment that said not yet\n  - outcome: not recorded yet" in text


def test_working_with_this_partner_carries_the_playbook_guidance(book: Playbook) -> None:
    guidance = tuple((g.title, g.text) for g in book.relationship)
    body = section(document(guidance=guidance), "Working with this partner")
    for title, _ in guidance:
        assert f"- **{title}**: " in body
    assert "## Working with this partner" not in document()


def test_the_guidance_covers_what_the_sources_ask_for(book: Playbook) -> None:
    """Item 6 of the review: each piece of relationship guidance the sources give."""
    text = " ".join(g.text.lower() for g in book.relationship)
    for words in (
        ("trust",),
        ("brainstorm", "with them, not for them"),
        ("feedback",),
        ("record meetings",),
        ("segment or cohort",),
        ("earlier escalations", "move on"),
        ("worry", "doubt", "anger", "disagreement", "urgent"),
        ("acknowledge", "expectation", "wrong assumption", "made the promise decides"),
    ):
        for word in words:
            assert word in text, word
    assert [g.id for g in book.relationship if g.before_call] == [
        "what_escalation_is",
        "past_escalations",
        "solve_together",
    ]


def test_the_introduction_mentions_escalations_only_when_there_were_some() -> None:
    assert "including the issues we have escalated" not in document(record())
    assert "including the issues we have escalated" in document(record(outcome="call held"))


def test_trigger_remedies_carry_the_relationship_guidance(book: Playbook) -> None:
    triggers = book.question("triggers")
    assert triggers is not None
    remedy = {c.value: (c.remedy or "").lower() for c in triggers.choices}
    # how often we communicate depends on the kind of account, said without company jargon
    assert "accounts like theirs" in remedy["lack_of_attention"]
    assert "segment" not in remedy["lack_of_attention"]
    assert "with them rather than for them" in remedy["overpromised"]
    assert "recording of the meeting" in remedy["expectations_unset"]
    assert "made that promise decides" in remedy["inappropriate_response"]
    assert "nobody is steering" in remedy["inflated_urgency"]
