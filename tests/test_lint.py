"""The message coach: a corpus of good messages (no finding) and bad ones (expected rules)."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from conftest import toy_coach, write_model
from escalate_cli import classify
from escalate_cli.brief import draft
from escalate_cli.lint import Draft, lint
from escalate_cli.playbook import Lint, Playbook


def installed() -> str:
    path = Path(sys.executable).parent / "escalate"
    return str(path) if path.exists() else "escalate"


CORPUS = yaml.safe_load((Path(__file__).parent / "data" / "lint_corpus.yaml").read_text())


@pytest.mark.parametrize("text", CORPUS["good"], ids=lambda t: t[:40])
def test_good_messages_give_no_finding(book: Playbook, text: str) -> None:
    assert lint(text, book.lint) == []


@pytest.mark.parametrize("case", CORPUS["bad"], ids=lambda c: c["text"][:40])
def test_bad_messages_give_the_expected_rules(book: Playbook, case: dict) -> None:
    found = lint(case["text"], book.lint)
    assert sorted(f.rule for f in found) == sorted(case["rules"])
    assert all(f.message and f.suggestion for f in found)


def test_findings_carry_line_and_column(book: Playbook) -> None:
    text = "Hi Sam,\n\nThanks. Engineering dropped the ball.\nI'll look into it."
    found = lint(text, book.lint)
    assert [(f.line, f.column, f.rule, f.excerpt) for f in found] == [
        (3, 9, "blame", "Engineering dropped"),
        (4, 1, "vague_commitment", "I'll look into"),
    ]


def test_partner_trigger_words_are_flagged_with_their_position(book: Playbook) -> None:
    text = "Hi,\nper our policy we cannot\nchange the Policy."
    found = lint(text, book.lint, triggers=["per our policy", "policy"], partner="Acme")
    assert [(f.line, f.column, f.excerpt) for f in found] == [
        (2, 1, "per our policy"),
        (2, 9, "policy"),
        (3, 12, "Policy"),
    ]
    assert all(f.rule == "partner_trigger" and "Acme" in f.message for f in found)


def test_phrases_match_whole_words_across_line_breaks(book: Playbook) -> None:
    wrapped = "Thanks for the logs, we have what we need for now and we'll get\nback to you"
    assert [f.rule for f in lint(wrapped, book.lint)] == ["vague_commitment"]
    assert [f.rule for f in lint("we'll get\nback to you", book.lint)] == ["vague_commitment"]
    assert lint("guaranteeing", book.lint) == []


def test_short_chat_lines_are_sentences_of_their_own(book: Playbook) -> None:
    """A chat thread without full stops is not one long sentence: each finding is found
    on its own line, and the rewrite keeps to that line."""
    chat = "hey sam\nstill on the sso thing\nfix goes out friday\nwill keep u posted\n"
    found = lint(chat, book.lint)
    assert [(f.rule, f.line) for f in found] == [
        ("eta_no_buffer", 3),
        ("vague_commitment", 4),
    ]
    assert "\n" not in found[0].suggestion and "posted" not in found[0].suggestion
    run_on = lint("ok so the patch is going out by\nfriday morning\n", book.lint)
    assert [(f.rule, f.line) for f in run_on] == [("eta_no_buffer", 1)]
    for carried_on in ("we will ship the fix\nby friday", "- we'll ship the fix\n  by friday"):
        assert [f.rule for f in lint(carried_on, book.lint)] == ["eta_no_buffer"], carried_on
    blanks = lint("fix goes out friday \r\nwill keep u posted", book.lint)
    assert [(f.rule, f.line) for f in blanks] == [("eta_no_buffer", 1), ("vague_commitment", 2)]


def test_cushion_days_fill_the_suggestion(book: Playbook) -> None:
    (finding,) = lint("It will be ready by Friday.", replace(book.lint, cushion_days=3))
    assert "3 working days" in finding.suggestion


def test_default_templates_with_ordinary_answers_lint_clean(book: Playbook) -> None:
    from test_brief import ORDINARY

    assert draft(book, ORDINARY).findings == {}


def test_lint_cli_exit_codes_and_json(runner, tmp_path) -> None:
    from escalate_cli.cli import app

    clean = tmp_path / "clean.txt"
    clean.write_text(CORPUS["good"][0])
    result = runner.invoke(app, ["lint", str(clean)])
    assert result.exit_code == 0 and "No findings" in result.stdout
    bad = tmp_path / "bad.txt"
    bad.write_text("Hi,\nEngineering will have it fixed by Friday, guaranteed!!!\n")
    found = runner.invoke(app, ["lint", str(bad), "--format", "json"])
    assert found.exit_code == 1
    rules = [(f["line"], f["column"], f["rule"]) for f in json.loads(found.stdout)]
    assert rules == [
        (2, 1, "others_work"),
        (2, 13, "eta_no_buffer"),
        (2, 43, "over_promise"),
        (2, 53, "inflated_urgency"),
    ]
    piped = runner.invoke(app, ["lint", "-"], input="I'll look into it.")
    assert piped.exit_code == 1 and "vague_commitment" in piped.stdout
    missing = runner.invoke(app, ["lint", str(tmp_path / "none.txt")])
    assert missing.exit_code == 2
    bare = runner.invoke(app, ["lint"], input="Thanks, all set.\n")  # a pipe: no instructions
    assert bare.exit_code == 0 and bare.stderr == ""


def test_findings_written_to_a_pipe_end_no_line_with_padding(runner, tmp_path) -> None:
    """rich pads each line to the full width; a file or a pipe gets the text without it."""
    from escalate_cli.cli import app

    bad = tmp_path / "bad.txt"
    bad.write_text("Hi,\nEngineering will have it fixed by Friday, guaranteed!!!\n")
    found = runner.invoke(app, ["lint", str(bad)])
    assert found.exit_code == 1 and "eta_no_buffer" in found.stdout
    lines = found.stdout.splitlines()
    assert len(lines) > 8 and [line for line in lines if line != line.rstrip()] == []


def test_lint_cli_uses_the_partners_trigger_words(runner, tmp_path) -> None:
    from escalate_cli.cli import app

    runner.invoke(app, ["notes", "add", "Acme", "--kind", "trigger", "per our policy"])
    draft_file = tmp_path / "d.txt"
    draft_file.write_text("Hello,\n\nAs per our policy, we cannot refund.\n")
    result = runner.invoke(app, ["lint", str(draft_file), "--partner", "acme", "-f", "json"])
    assert result.exit_code == 1
    (finding,) = json.loads(result.stdout)
    assert (finding["line"], finding["column"], finding["rule"]) == (3, 4, "partner_trigger")
    unknown = runner.invoke(app, ["lint", str(draft_file), "--partner", "Acne"])
    assert unknown.exit_code == 2 and "did you mean 'Acme'?" in unknown.stderr


def test_broken_rule_pattern_is_a_playbook_error_at_load(tmp_path, default_text) -> None:
    from escalate_cli.errors import EscalateError
    from escalate_cli.playbook import load

    text = default_text.replace("        - '!{2,}|", "        - '(unclosed|", 1)
    path = tmp_path / "team.yaml"
    path.write_text(text)
    with pytest.raises(EscalateError) as caught:
        load(path)
    line = text[: text.index("'(unclosed|")].count("\n") + 1
    assert f"team.yaml:{line}:" in caught.value.message
    assert "not a valid regular expression" in caught.value.message


def test_lint_rule_needs_phrases_or_patterns(tmp_path, default_text) -> None:
    from escalate_cli.errors import EscalateError
    from escalate_cli.playbook import load

    text = default_text.replace(
        "  rules:\n    - id: blame\n",
        "  rules:\n    - id: empty\n      message: m\n      suggestion: s\n    - id: blame\n",
        1,
    )
    path = tmp_path / "team.yaml"
    path.write_text(text)
    with pytest.raises(EscalateError, match="needs `phrases` or `patterns`"):
        load(path)


def test_a_trigger_note_watches_for_its_quoted_phrases(book: Playbook) -> None:
    notes = ["being told 'per our policy'", 'the words "escalation" and "urgent"', "circle back"]
    text = "Per our policy, this escalation is not urgent.\nLet's circle back on Monday."
    found = [(f.line, f.column, f.excerpt) for f in lint(text, Lint(), notes, "Acme")]
    assert found == [
        (1, 1, "Per our policy"),
        (1, 22, "escalation"),
        (1, 40, "urgent"),
        (2, 7, "circle back"),
    ]
    assert lint("being told is fine", Lint(), notes) == []


@pytest.mark.parametrize("ending", ["\r\n", "\r"])
def test_line_endings_do_not_move_findings(runner, tmp_path, ending) -> None:
    from escalate_cli.cli import app

    draft_file = tmp_path / "d.txt"
    draft_file.write_bytes(f"Hi Sam,{ending}{ending}We guarantee it.{ending}".encode())
    result = runner.invoke(app, ["lint", str(draft_file), "-f", "json"])
    assert [(f["line"], f["column"]) for f in json.loads(result.stdout)] == [(3, 1)]


# --- what people actually write ---------------------------------------------------------------


def rules(text: str, book: Playbook) -> list[str]:
    return sorted({f.rule for f in lint(text, book.lint)})


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        (
            "found it. dodong deleted stop 14 from the master list yesterday, thats why bus 9 "
            "skipped it this morning. carlo will restore it in tonight's release\n",
            "blame",
        ),
        (
            "accounting sent the cluj opera invoice to the wrong address again. ioana in "
            "finance is going to reissue it, already told the client\n",
            "blame",
        ),
        (
            "Marek's doing the Donautaxi route import tmrw morning, they'll be live with the "
            "new timetable by lunch\n",
            "others_work",
        ),
        (
            "Bonjour Bruno,\n\nOur partner's developer is rebuilding the calendar connector, "
            "and you'll have it back in your account on the 22nd.\n\nNadia\n",
            "others_work",
        ),
        (
            "heads up marisol: h\u00e9ctor's crew replaces the cracked humacao panels thurs, "
            "new robots running fri\n",
            "eta_no_buffer",
        ),
    ],
)
def test_the_model_thresholds_chosen_on_unseen_text_find_more(
    book: Playbook, text: str, rule: str
) -> None:
    """The seventy-ninth round lowered `blame`'s, `others_work`'s and `eta_no_buffer`'s
    thresholds (and `blame`'s veto) on held-out sets retired for it (these messages are
    from them): each of these was missed at the thresholds fitted on the training files."""
    assert rule in rules(text, book)


@pytest.mark.parametrize(
    "text",
    [
        "The payment was rejected by their bank on Tuesday, so we re-ran it this morning.",
        "Engineering found the cause yesterday: a certificate on the storage cluster had expired.",
        "Our engineer is testing the patch on a copy of your data today; I will call you at 4pm "
        "with the result.",
    ],
)
def test_the_lower_thresholds_leave_plain_reports_clean(book: Playbook, text: str) -> None:
    assert rules(text, book) == []


@pytest.mark.parametrize(
    "text",
    [
        "They asked us to fix it ASAP, so I've looped in the on-call engineer.",
        'You wrote that the outage was "URGENT" for your finance team.',
        "We can't guarantee a date yet, but I will update you on Thursday at 10:00.",
        "The uptime guarantee is 99.9%.",
        "Definitely worth a conversation before the renewal.",
        "As promised, here is the summary. We promised you a root cause, and it is attached.",
        "We deployed the fix on Monday and the error rate has been flat since.",
        "Engineering identified the root cause on the 14th.",
        "Legal has confirmed they will approve the terms this week.",
        "I'll send you an update by 3pm tomorrow, even if there is nothing new.",
        "The SSO config uses SAML, not OIDC, and the API token is in the AWS console.",
        "Our disaster recovery plan was tested in May.",
    ],
)
def test_hard_ordinary_messages_pass(book: Playbook, text: str) -> None:
    assert rules(text, book) == []


def test_quoted_words_wrapped_onto_the_next_line_are_still_someone_elses(book: Playbook) -> None:
    """A hard-wrapped email breaks a quote over two lines: it is left out as a one-line
    quote is. An inch mark is not a quote: the urgency after it is still read."""
    wrapped = 'Dale called and said, quote, "this is a disaster, get me\nseats next week". Booked.'
    assert rules(wrapped, book) == []
    assert rules(wrapped.replace('"', ""), book) == ["inflated_urgency"]
    curly = "Their words: \u201cwe need the samples\npicked up ASAP\u201d. The driver has them."
    assert rules(curly, book) == []
    for inches in (
        'We fitted the 12" pipe for the\nsite. This is URGENT for us.',
        'We fitted the 12", as agreed. Ship ASAP\nthe 10" valves.',
        'The 12"-pipe is in. Ship ASAP\nthe 10" one.',
    ):
        assert rules(inches, book) == ["inflated_urgency"], inches


def test_the_lines_of_an_email_being_replied_to_are_someone_elses(book: Playbook) -> None:
    """A reply quotes the customer's e-mail with "> ": their deadline and their alarm are
    not the writer's promise ("> jonas will swap the probes tomorrow" was read as one, a
    date without a cushion); the writer's own lines are still read."""
    quoted = "> jonas will swap the probes tomorrow\nthat's what the customer wrote"
    assert rules(quoted, book) == []
    reply = "Hi Sam,\n\n> Can you fix it by Friday? This is URGENT!!\n\nWe will fix it by Friday."
    assert rules(reply, book) == ["eta_no_buffer"]
    (found,) = lint(reply, book.lint)
    assert found.line == 5


def test_a_promise_the_writer_says_nobody_can_give_is_not_an_over_promise(book: Playbook) -> None:
    """Saying no one can promise it is the honest answer. A pledge after "but" or "and", a
    boast about others, or swearing to something less is not that: the exception leaves it."""
    for honest in (
        "No servicing company can promise that an extinguisher will never fail.",
        "Nobody can promise that an extinguisher will never fail.",
        "I'd love to say the hides will never again arrive cut, but I can't honestly promise that.",
    ):
        assert rules(honest, book) == [], honest
    rules_only = replace(book.lint, model=None)
    for pledged in (
        "I can't promise much, but this will never happen again.",
        "I can't promise the price will hold, and rest assured the delivery will never slip.",
        "No other installer can guarantee that, we can: this will never happen again.",
        "Nothing will go wrong this time, I won't swear to more than that.",
    ):
        assert "over_promise" in {f.rule for f in lint(pledged, rules_only)}, pledged


def test_a_visit_to_measure_or_a_call_joined_is_not_someone_elses_work(book: Playbook) -> None:
    """Visiting to measure or survey, or joining a call, promises no work of theirs; work
    named after it in the sentence still does."""
    others_work_leaves(
        book,
        (
            "Our mason Idir will visit on 2 April at 9 to measure.",
            "Aminata will visit on 21 and 22 November to take your team through the range.",
            "He will join our call on the 16th so you can meet him.",
            "Their CTO will hop on the 15h call to close it out.",
        ),
        flags=(
            "Our technician will visit on Tuesday to replace the lock.",
            "Our engineer will visit on Tuesday to survey the site, then remove the damaged tank.",
            "Their technician will visit on Thursday to take a look at the compressor.",
            "Our fitter will come out on Monday to take the old boiler away.",
            "Our fitter will drop by on Monday to measure, then replace the valve.",
            "Our tech will hop on the server before Friday's demo to clear the cache.",
        ),
    )


def test_people_named_in_lower_case_are_read_as_people(book: Playbook) -> None:
    """Chat writes names in lower case ("badria will reissue it"); a lower-case word that
    starts a clause and is not a pronoun, a filler or a common thing is read as a person,
    whose work the writer is promising, in a sentence written in lower case up to it (a
    writer who capitalises writes names with a capital). The model never vetoes these
    added patterns, and still vetoes the trained ones (its record of `others_work` is
    unchanged)."""
    others_work_leaves(
        book,
        (
            "it will fix itself once the cache clears",
            "everything will be sorted by friday",
            "ok so the patch will fix it tonight",
            "told them we'll fix it by thurs",
            "zuzka is sending the signed addendum today, she confirmed it on the call",
            "standup moves to 9:30 on thursdays",
            'vendula said "marek will fix it" but i haven\'t passed that on',
            "Thanks Marta, kamil will sort the seals",
            "We cannot promise the Brno\ncrates will clear customs before Easter.",
            # an independent review's drafts (round 72): a negation before the name, a
            # noun after "get", news or a demo, a carrier, a question, a quoted reply, a
            # shift's end, a hard-wrapped line
            "i can't promise that ondrej will reissue the credit note tomorrow",
            "I'll get approval to replace the unit and let you know.",
            "we'll get quotes to fix the roof",
            "rita is sending the agenda tomorrow",
            "priya's doing the demo tomorrow, you're welcome to join",
            "amazon delivers tomorrow according to the tracking",
            "zoe will fix it tomorrow?",
            "> jonas will swap the probes tomorrow\nthat's what the customer wrote",
            "jen finishes at 5 today, so call before then",
            "apologies, the\nsystem sends reminders tomorrow morning automatically.",
        ),
        flags=(
            "ondrej will reissue the credit note tomorrow morning",
            "ok told her kamil will sort the grinder seals",
            "radka is swapping the boiler gasket tomorrow morning",
            "petr from the workshop will rewire the panel on the 14th",
            "bohus installs the new flue tue",
            "i'll get tereza to look at the till sync",
            "dw, matej's going to replace the valve",
        ),
    )
    rule = next(rule for rule in book.lint.rules if rule.id == "others_work")
    model = classify.load(Path(book.lint.model or ""), [rule.id for rule in book.lint.rules])
    veto = classify.veto(model, rule, book.lint.classes)
    assert veto is not None
    assert sorted(veto.added) == [len(rule.patterns) - 4 + at for at in range(4)]


def test_a_lower_case_name_is_where_its_finding_points(book: Playbook) -> None:
    """The pattern reads the sentence from its start (a group named `at` marks the name):
    the finding's line, column and excerpt start at the name, not at the greeting or the
    heading before it."""
    for text, place, excerpt in (
        ("hi sam,\nondrej will reissue the credit note tomorrow", (2, 1), "ondrej will reissue"),
        ("re the invoice - ondrej will reissue it tomorrow", (1, 18), "ondrej will reissue"),
        ("ok told her kamil will sort the grinder seals", (1, 13), "kamil will sort"),
    ):
        (found,) = [f for f in lint(text, book.lint) if f.rule == "others_work"]
        assert ((found.line, found.column), found.excerpt) == (place, excerpt), text


def others_work_leaves(book: Playbook, texts: tuple[str, ...], flags: tuple[str, ...]) -> None:
    """`others_work` leaves each of `texts` alone and flags each of `flags`."""
    for text in texts:
        assert "others_work" not in rules(text, book), text
    for text in flags:
        assert "others_work" in rules(text, book), text


def test_the_writers_own_asking_is_read_but_someone_elses_is_reported_speech(
    book: Playbook,
) -> None:
    """The writer's "I've asked X and they'll do it" is a promise made for X; "they asked us
    to do it" reports the customer's words (issue 11: reported speech is left out)."""
    assert "others_work" in rules(
        "I've asked our data team and they'll recalculate the October figures.", book
    )
    assert rules("They asked us to recalculate the October figures by Friday.", book) == []
    assert rules("The customer asked whether we could recalculate it by Friday.", book) == []


def test_someone_answering_the_writer_is_news_not_their_work_promised(book: Playbook) -> None:
    """Their answer to the writer ("they'll get back to me") promises the customer nothing
    of theirs (the writer's own asking is read, above); their work in such words still is."""
    others_work_leaves(
        book,
        (
            "I've asked our support team and they'll get back to me by noon.",
            "Support will get back to us once they have checked the logs.",
        ),
        flags=(
            "Support will get the logs to you by noon.",
            "Support will get back to us and fix it by Friday.",
            "Our vendor will come back to us with a patched build by Friday.",
        ),
    )


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("Our devs messed this up.", "blame"),
        ("It's down to our payment processor.", "blame"),
        ("Rest assured it won't recur.", "over_promise"),
        ("Zero chance of data loss.", "over_promise"),
        ("The fix will be ready on March 3rd.", "eta_no_buffer"),
        ("The new build ships Tuesday.", "eta_no_buffer"),
        ("We'll have it fixed within 48 hours.", "eta_no_buffer"),
        ("Legal will approve the revised terms.", "others_work"),
        ("I'll get engineering to prioritise your ticket.", "others_work"),
        ("Leave it with me.", "vague_commitment"),
        ("I'll keep you posted.", "vague_commitment"),
        ("Extremely urgent: P0 emergency.", "inflated_urgency"),
    ],
)
def test_everyday_wording_is_caught(book: Playbook, text: str, rule: str) -> None:
    assert rule in rules(text, book)


@pytest.mark.parametrize(
    ("text", "blames"),
    [
        ("The late deliveries are thanks to your forwarder mis-scanning the pallets.", True),
        ("The import failed because your clerk keyed in the wrong column.", True),
        ("Honestly, the SE dropped the ball on the demo.", True),
        ("The backups were lost on Marek's watch.", True),
        ("The blame lies squarely with the courier for the broken units.", True),
        ("The outage was the carrier's screw-up, not a product problem.", True),
        ("Their sysadmin corrupted the index during the migration.", True),
        ("We dropped the ball on this, and I am sorry.", False),
        ("Thanks to your freight forwarder, the pallets arrived early.", False),
        ("The courier company delivered the replacement units this morning.", False),
    ],
)
def test_blame_patterns_name_the_culprit_in_many_shapes(
    book: Playbook, text: str, blames: bool
) -> None:
    """The patterns alone, without the classifier: each shape of pinning it on someone."""
    patterns_only = replace(book.lint, model=None)
    assert ("blame" in {f.rule for f in lint(text, patterns_only)}) is blames


@pytest.mark.parametrize(
    ("text", "rule", "flagged"),
    [
        ("The revised price list will be in your portal on 4 February.", "eta_no_buffer", True),
        ("Our payroll vendor will pay the missing bonuses on the 20th.", "eta_no_buffer", True),
        ("Your replacement router lands at the branch on Thursday.", "eta_no_buffer", True),
        ("The export fix is in tomorrow's release.", "eta_no_buffer", True),
        ("You'll receive the signed contract on Friday the 9th.", "eta_no_buffer", True),
        ("The training for your agents will be on 22 May at 10:00.", "eta_no_buffer", False),
        ("Version 1 of the API will be retired on 31 March.", "eta_no_buffer", False),
        ("The carrier confirmed they'll collect the pallets on Monday.", "eta_no_buffer", False),
        ("I can't guarantee the parts will clear customs this week.", "eta_no_buffer", False),
        ("I'll be out of the office from 23 December.", "eta_no_buffer", False),
        ("The PSP bungled their release and checkout broke.", "blame", True),
        ("The outage was their hosting provider letting the domain expire.", "blame", True),
        ("Nothing will go wrong on go-live day.", "over_promise", True),
        ("The new cluster simply won't go down.", "over_promise", True),
        ("You can bank on it.", "over_promise", True),
        ("I told them the data team would rebuild the dashboard.", "others_work", True),
        ("Our consultant, Priya, will reconfigure the approval flow.", "others_work", True),
        ("I'll get Tomas to roll back the pricing change.", "others_work", True),
        ("I'll share the report once it's ready.", "vague_commitment", True),
        ("More once I've heard from finance.", "vague_commitment", True),
        ("This is a DEFCON 1 situation for the renewal.", "inflated_urgency", True),
        ("Drop what you're doing and call them.", "inflated_urgency", True),
        ("The chart looks right now that the cache is cleared.", "inflated_urgency", False),
    ],
)
def test_patterns_catch_wording_beyond_their_first_lists(
    book: Playbook, text: str, rule: str, flagged: bool
) -> None:
    """The patterns alone: the ninth round's wider grammar (a future or scheduled delivery
    with any subject but the writer, certainty in other words, news promised for when
    something else happens) and the exceptions that keep plain messages quiet."""
    patterns_only = replace(book.lint, model=None)
    assert (rule in {f.rule for f in lint(text, patterns_only)}) is flagged


@pytest.mark.parametrize(
    ("text", "rule", "flagged"),
    [
        ("The permanent fix goes live on 18.04. Branches are ready.", "eta_no_buffer", True),
        ("The new ISO mapping goes live in 48h.", "eta_no_buffer", True),
        ("GL migration for all four entities completes by month end.", "eta_no_buffer", True),
        ("The replacement terminals are dispatched tomorrow.", "eta_no_buffer", True),
        (
            "Our courier will deliver the meters to all six of your stores on 17 May.",
            "eta_no_buffer",
            True,
        ),
        ("It ships with Thursday's release.", "eta_no_buffer", True),
        ("We moved to version 2.4.10 today.", "eta_no_buffer", False),
        ("Uptime last month was 99.95.", "eta_no_buffer", False),
        ("The new price list takes effect on 1 January.", "eta_no_buffer", False),
        ("We cut over the phones on 6 June without issue.", "eta_no_buffer", False),
        (
            "Security confirmed in the ticket that the pack will be ready on 14 May.",
            "eta_no_buffer",
            False,
        ),
        ("Our hosting vendor left us hanging for three weeks.", "blame", True),
        ("The partner team threw us under the bus on that call.", "blame", True),
        ("The API keys got leaked by their dev on GitHub.", "blame", True),
        ("Our engineer went home without handing over the restore job.", "blame", True),
        ("The payroll file was rejected by their bank this morning.", "blame", False),
        ("They will collect the damaged stock on their next run.", "others_work", True),
        ("Hamish is going to chase the subcontractor for the certificates.", "others_work", True),
        ("I'll get him to redesign the call routing.", "others_work", True),
        ("She'll sit with the insurance pod from Monday.", "others_work", False),
        ("I give you my word we'll have it back before the morning shift.", "over_promise", True),
        ("itll def be fine, we tested it a ton", "over_promise", True),
        ("The migration completes by month end, 100%.", "over_promise", True),
        ("We delivered 100% of the seats you ordered.", "over_promise", False),
        ("will check w the team and get back to u", "vague_commitment", True),
        ("yep will sort the access when i get a sec", "vague_commitment", True),
        ("Leave it w me.", "vague_commitment", True),
    ],
)
def test_patterns_catch_the_tenth_rounds_shapes(
    book: Playbook, text: str, rule: str, flagged: bool
) -> None:
    """The patterns alone: dates written 18.04. and 48h, deliveries in the present and the
    passive, culprits named by idiom or as the agent of a passive, anyone's work promised
    with a wider list of verbs, shorthand certainty and vague promises; and the near-misses
    the new shapes must leave alone (versions, percentages, price changes, past cut-overs,
    confirmed dates, a bank rejecting a file, a new colleague's seat)."""
    patterns_only = replace(book.lint, model=None)
    assert (rule in {f.rule for f in lint(text, patterns_only)}) is flagged


@pytest.mark.parametrize(
    ("text", "rule", "flagged"),
    [
        ("Klemen will retune the Piran organ before the concert.", "others_work", True),
        ("Jernej, our photographer, will reshoot the whole pilot.", "others_work", True),
        ("Luka in the workshop will get KO-2 back from repair in time.", "others_work", True),
        ("Our embroidery floor will remake all 400 ties.", "others_work", True),
        ("Tomás will sort the pressure switch this week.", "others_work", True),
        ("Our couriers will collect from all 14 farms on Tuesday.", "others_work", True),
        ("Hakan's bringing the recertified cylinders over tomorrow.", "others_work", True),
        ("Martina from Glowhaus will co-present the webinar.", "others_work", False),
        ("Jess and Alexis will both join our call on the 15th.", "others_work", False),
        ("Our SE will run the demo.", "others_work", False),
        ("Slack will show a notification when the export finishes.", "others_work", False),
        ("Aurélie is resending it.", "others_work", False),
        ("who's taking notes in the 3pm", "others_work", False),
        ("Klemen has confirmed he will retune the organ on Friday.", "others_work", False),
    ],
)
def test_patterns_catch_colleagues_by_name_or_trade_doing_the_work(
    book: Playbook, text: str, rule: str, flagged: bool
) -> None:
    """The patterns alone: a colleague named (accents too), placed ("in the workshop") or
    described ("our photographer"), or a trade ("our couriers"), who will do the work, or is
    bringing it over; not one who joins, presents, covers or has confirmed."""
    patterns_only = replace(book.lint, model=None)
    assert (rule in {f.rule for f in lint(text, patterns_only)}) is flagged


@pytest.mark.parametrize(
    ("text", "rule", "flagged"),
    [
        ("The scaffolding firm couldn't be bothered coming back on Friday.", "blame", True),
        ("The Tromsø team dragged their feet on the filter swap.", "blame", True),
        ("Frankly, their work on the integration has been sloppy from day one.", "blame", True),
        ("This was reckless and entirely their doing.", "blame", True),
        ("The repair technician from Graz took his sweet time.", "blame", True),
        ("The freight company's carelessness cost us four crates.", "blame", True),
        ("Their dispatch team clearly can't count.", "blame", True),
        ("Our subcontractor did a rubbish job on the cabling.", "blame", True),
        ("The tailoring unit we use in Masaka let us down completely.", "blame", True),
        ("Their finance team has a habit of billing too early, which is wrong.", "blame", True),
        ("That is inexcusable on their part.", "blame", True),
        ("how do they even have jobs", "blame", True),
        ("We were sloppy with the handover, and I'm sorry.", "blame", False),
        ("I was careless with the export and it's on me.", "blame", False),
        ("It's on them to choose the date that suits.", "blame", False),
        ("Their crew did a great job on the cabling.", "blame", False),
        ("The corrected files will be on your SFTP on Tuesday 17/06.", "eta_no_buffer", True),
        ("The new badges are with your front desk by end of day Friday.", "eta_no_buffer", True),
        ("Our engineer will be at your office on Tuesday.", "eta_no_buffer", False),
        ("The files were on your SFTP on Tuesday.", "eta_no_buffer", False),
        ("The badges are with your front desk by Friday at the earliest.", "eta_no_buffer", False),
    ],
)
def test_patterns_catch_verdicts_on_others_and_deliveries_to_the_readers_place(
    book: Playbook, text: str, rule: str, flagged: bool
) -> None:
    """The patterns alone, so the plainest wording never rests on the model: a verdict on
    someone else's work ("sloppy", "dragged their feet", "entirely their doing") is blame,
    unless the writer says it of themselves; a thing that will be where the reader keeps it
    by a date is a delivery, a person there on a date is a visit."""
    patterns_only = replace(book.lint, model=None)
    assert (rule in {f.rule for f in lint(text, patterns_only)}) is flagged


@pytest.mark.parametrize(
    ("text", "rule", "flagged"),
    [
        ("honestly blame the 3pl, they shipped it to the old depot again", "blame", True),
        ("thats on ur end tbh", "blame", True),
        (
            "The root of the problem is our zirconia supplier, who sent cracked discs.",
            "blame",
            True,
        ),
        ("Your engineers are the problem here.", "blame", True),
        ("Delays came down to SwiftCargo mislabelling 2,000 parcels.", "blame", True),
        ("The outage happened because their IT admin ran the purge script on prod.", "blame", True),
        ("qa let the coupon bug slip thru again", "blame", True),
        ("The final call rests with our QA team after they examine the units.", "blame", False),
        ("action items are on their side for now, next sync is 6/7 at 10", "blame", False),
        ("Our team misread your request, and we got this one wrong.", "blame", False),
        ("njeri's gonna finish the cost centre mapping", "others_work", True),
        ("Andre's team is shipping the fix next Tuesday.", "others_work", True),
        (
            "Our finance lead, Ms. Rinaldi, will recalculate the commissions.",
            "others_work",
            True,
        ),
        ("told the hospital Priya will redo the coverage survey", "others_work", True),
        ("hi ana\nnjeri's gonna finish the mapping", "others_work", True),
        ("hopefully will fix it tonight", "others_work", False),
        ("I'll get access to the logs this afternoon.", "others_work", False),
        ("The courier collects the parcel every Monday.", "others_work", False),
        ("I don't blame your team at all for the delay.", "blame", False),
        ("Your engineers kept digging until they found the problem in our code.", "blame", False),
        ("The first report was from your IT team, and it helped us a lot.", "blame", False),
        ("This was without any doubt our mistake, and I'm sorry.", "over_promise", False),
        (
            "I've committed to them that our Chennai team will translate the strings.",
            "others_work",
            True,
        ),
        ("ok ill get the NOC to reroute the traffic", "others_work", True),
        ("if the vendor ships monday we can install wed", "others_work", False),
        (
            "We can't commit to a date until engineering finishes sizing on 5 February.",
            "others_work",
            False,
        ),
        ("Our card partner is doing planned maintenance on Sunday.", "others_work", False),
        ("I'll get word to you once our technician has assessed it.", "others_work", False),
        ("Mark my words, you won't have a single issue with them.", "over_promise", True),
        ("I can absolutely guarantee they'll fit first time.", "over_promise", True),
    ],
)
def test_patterns_catch_the_thirteenth_rounds_shapes(
    book: Playbook, text: str, rule: str, flagged: bool
) -> None:
    """The patterns alone: blame by cause ("the root of the problem is", "came down to X
    mislabelling"), by naming the culprit as the problem, and in chat spelling; others' work
    in chat (a colleague's name in lower case, "gonna"), in the present with a date, and
    reported as told; and the near-misses they must leave alone (a decision that rests with
    a team, conditions, a partner's planned maintenance, owning the mistake)."""
    patterns_only = replace(book.lint, model=None)
    assert (rule in {f.rule for f in lint(text, patterns_only)}) is flagged


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("Our controller, Ms. Rinaldi, will recalculate it.", 1),
        ("Dr. Patel will call you.", 1),
        ("The fix goes live on 18.04. for every branch.", 1),
        ("Use the export, e.g. the CSV one.", 1),
        ("E.g. the export will fail.", 1),
        ("It took 200 ms. Then it stopped.", 2),
        ("We run 2.4.1. we will ship the fix friday", 2),
        ("The refund was 14.50. we will send it friday", 2),
        ("Our depot is on Queen St. Your IT team will install it.", 2),
        ("The fix goes live on 18.04. Branches are ready.", 2),
    ],
)
def test_a_full_stop_after_a_title_or_a_dotted_date_may_not_end_the_sentence(
    text: str, count: int
) -> None:
    assert len([s for s in classify.sentences(Draft(text)) if s[2].strip()]) == count


def test_each_rule_gives_one_finding_a_sentence(book: Playbook) -> None:
    found = lint("We need this ASAP, it is URGENT!!!\nAnd now!!!", book.lint)
    assert [(f.line, f.rule) for f in found] == [(1, "inflated_urgency"), (2, "inflated_urgency")]


def test_a_promised_date_is_rewritten_with_the_cushion(book: Playbook) -> None:
    (friday,) = lint("We will have it fixed by Friday.", book.lint)
    assert 'Try: "We will have it fixed by Tuesday (Friday plus 2 working days)."' in (
        friday.suggestion
    )
    monday = dt.date(2026, 11, 30)  # a Monday
    (tomorrow,) = lint("It will be live tomorrow.", book.lint, today=monday)
    assert "live Thursday (tomorrow plus 2 working days)" in tomorrow.suggestion
    # the part of the day stays with the moved day, ahead of what the date was
    (morning,) = lint("It will be live tomorrow morning.", book.lint, today=monday)
    assert "live Thursday morning (tomorrow plus 2 working days)." in morning.suggestion
    (afternoon,) = lint("We will have it fixed by Friday afternoon.", book.lint)
    assert "by Tuesday afternoon (Friday plus 2 working days)." in afternoon.suggestion
    (hours,) = lint("We'll restore it within 48 hours.", book.lint)
    assert "within 4 working days (48 hours plus 2 working days)" in hours.suggestion
    (march,) = lint("It will be ready on March 3rd.", book.lint, today=monday)
    assert "on March 5 (March 3rd plus 2 working days)" in march.suggestion
    (day_first,) = lint("It will be ready on 3 March.", book.lint, today=monday)
    assert "on 5 March (3 March plus 2 working days)" in day_first.suggestion  # order kept
    (second,) = lint(
        "The burners ship on 12 August and the fix goes live on 18.04. for every site.",
        book.lint,
        today=monday,
    )
    assert second.excerpt == "goes live on 18.04"  # the date the finding names is moved
    assert "ship on 12 August and the fix goes live on 20.04. (18.04. plus" in second.suggestion
    (eod,) = lint("We will ship it EOD tomorrow.", book.lint, today=monday)
    assert 'Try: "We will ship it Thursday (EOD tomorrow plus 2 working days)."' in eod.suggestion
    (dotted,) = lint("The fix goes live on 18.04. We will confirm.", book.lint, today=monday)
    assert 'Try: "The fix goes live on 20.04. (18.04. plus 2 working days)"' in dotted.suggestion
    (dated,) = lint("The fix goes live on 12.09.2026 for all users.", book.lint)
    assert "on 15.09.2026 (12.09.2026 plus 2 working days)" in dated.suggestion
    (short,) = lint("The new mapping goes live in 48h.", book.lint)
    assert "in 4 working days (48h plus 2 working days)" in short.suggestion
    (named,) = lint("The export goes live on Friday 11 December.", book.lint, today=monday)
    assert "on Tuesday 15 December (Friday 11 December plus 2 working days)" in named.suggestion
    (nth,) = lint("The fix ships Friday the 11th.", book.lint, today=monday)
    assert "ships Tuesday the 15th (Friday the 11th plus 2 working days)" in nth.suggestion
    (year,) = lint("We will ship it by Thursday 31 December 2026.", book.lint, today=monday)
    # 1 January is one of the playbook's holidays: the cushion counts Monday and Tuesday
    assert "by Tuesday 5 January 2027 (Thursday 31 December 2026 plus 2" in year.suggestion
    (hour,) = lint("We will have it fixed by Friday 3 pm.", book.lint, today=monday)
    assert "by Tuesday (Friday plus 2 working days) 3 pm." in hour.suggestion


def test_a_day_gone_is_not_moved_to_another_day_gone_or_to_next_year(book: Playbook) -> None:
    """A draft written days ago names a day now past: moved by the cushion it was promised
    as "Thursday 2 December" (30 November 2027 plus two working days, though 2027's 30
    November is a Tuesday). A day gone lately is that day, so no date is offered; the
    advice stays."""
    sunday = dt.date(2026, 12, 6)
    for text in (
        "Your replacement arrives Monday 30 November.",
        "It ships on 2 December.",
        "It ships on 2.12. at the latest.",
    ):
        (gone,) = lint(text, book.lint, today=sunday)
        assert gone.rule == "eta_no_buffer"
        assert "Try:" not in gone.suggestion and "working days of buffer" in gone.suggestion
    (named,) = lint("It ships on Friday 8 January.", book.lint, today=sunday)  # 2027's
    assert "on Tuesday 12 January (Friday 8 January plus 2 working days)" in named.suggestion


def test_the_24th_stays_written_as_a_day_of_the_month(book: Playbook) -> None:
    sunday = dt.date(2026, 12, 6)
    (same,) = lint("The fix ships on the 24th.", book.lint, today=sunday)
    # Friday 25 December is one of the playbook's holidays
    assert 'Try: "The fix ships on the 29th (the 24th plus 2 working days)."' in same.suggestion
    (later,) = lint("The parts arrive on the 30th.", book.lint, today=sunday)
    assert "arrive on the 4th of January (the 30th plus 2 working days)." in later.suggestion


def test_the_models_date_finding_is_rewritten_when_the_sentence_names_one_date(
    book: Playbook, tmp_path
) -> None:
    """A finding of the model (no pattern fired) moves the date too, but only when the
    sentence names one: of two, which one it meant is not known. (A small model that
    flags any sentence about pallets, so the test holds whatever the shipped model learns.)"""
    patterns_only = replace(book.lint, model=None)
    pallets = write_model(tmp_path / "m.json", {"u:pallets": [0.0, 0.0, 5.0, 0.0, 0.0]})
    coach = toy_coach(book.lint, pallets)
    monday = dt.date(2026, 11, 30)
    one = "The corrected labels go on the pallets Tuesday."
    two = "The corrected labels go on the pallets Tuesday, after the audit on Monday."
    assert not lint(one, patterns_only) and not lint(two, patterns_only)
    (found,) = lint(one, coach, today=monday)
    assert found.rule == "eta_no_buffer"
    assert 'Try: "The corrected labels go on the pallets Thursday (Tuesday plus 2 working' in (
        found.suggestion
    )
    (unsure,) = lint(two, coach, today=monday)
    assert unsure.rule == "eta_no_buffer" and "Try:" not in unsure.suggestion


def test_a_vague_promise_gets_a_time_slot_in_its_rewrite(book: Playbook) -> None:
    (finding,) = lint("I'll update you soon.", book.lint)
    assert 'Try: "I\'ll update you by <day, time>."' in finding.suggestion


def test_no_rewrite_is_offered_that_its_own_rule_would_still_flag(book: Playbook) -> None:
    """Taking "Rest assured" out of a promise that it won't happen again still promises it,
    and taking the shouted word out of "URGENT." leaves nothing: the advice alone is given.
    A rewrite that does clear the rule starts with a capital, as the sentence did."""
    (still,) = lint("Rest assured this won't happen again.", book.lint)
    assert still.rule == "over_promise" and not still.suggestion.startswith("Try:")
    (cleared,) = lint("Rest assured, we have added a second check to the import.", book.lint)
    assert cleared.suggestion.startswith('Try: "We have added a second check to the import."')
    assert lint("We have added a second check to the import.", book.lint) == []
    (alarm,) = lint("Emergency!!!", book.lint)  # "Emergency." is still alarm
    assert alarm.rule == "inflated_urgency" and not alarm.suggestion.startswith("Try:")
    (shout,) = lint("URGENT!!!", book.lint)
    assert shout.suggestion.startswith('Try: "Time-sensitive."')


def suggested(text: str, book: Playbook, rule: str) -> str:
    """The rewrite the coach offers for `rule` in a one-sentence text, or "" for advice alone."""
    (finding,) = [f for f in lint(text, book.lint) if f.rule == rule]
    said = finding.suggestion
    return said[len('Try: "') : said.index('" ', 6)] if said.startswith("Try:") else ""


@pytest.mark.parametrize(
    ("text", "rule", "rewrite"),
    [
        # a pledge tacked on at the end goes, and one that is all the sentence leaves advice
        (
            "Every hotel will be back online by midnight, I personally guarantee it.",
            "over_promise",
            "Every hotel will be back online by midnight.",
        ),
        (
            "The invoices will be corrected — I promise you that!",
            "over_promise",
            "The invoices will be corrected!",
        ),
        ("I guarantee it.", "over_promise", ""),
        ("I promise you this: the refund is approved.", "over_promise", "The refund is approved."),
        ("I promise the export will work.", "over_promise", "We expect the export will work."),
        # "an urgent" takes "a" with its swap
        ("This is an urgent matter.", "inflated_urgency", "This is a time-sensitive matter."),
        # one blank to fill in, where the vague time stood
        (
            "I'll get back to you on the numbers soon.",
            "vague_commitment",
            "I'll get back to you on the numbers by <day, time>.",
        ),
        (
            "I'll let you know as soon as I hear back.",
            "vague_commitment",
            "I'll let you know by <day, time> as soon as I hear back.",
        ),
        (
            "Need the signed SOW back ASAP, asap.",
            "inflated_urgency",
            "Need the signed SOW back by <day, time>.",
        ),
        # a "by" before it is not doubled (review: "due by by <day, time>")
        (
            "The next update is due by ASAP.",
            "inflated_urgency",
            "The next update is due by <day, time>.",
        ),
        # a second match of the same swap keeps the writer's words, without a blank
        (
            "I'll let you know if it works, and let you know the cause.",
            "vague_commitment",
            "I'll let you know by <day, time> if it works, and let you know the cause.",
        ),
        # the writer's own <...> is no blank
        (
            "Hi <Dana>, I'll get back to you soon.",
            "vague_commitment",
            "Hi <Dana>, I'll get back to you by <day, time>.",
        ),
        # the word that led into a pledge goes with it
        ("It may slip a day, but I promise.", "over_promise", "It may slip a day."),
        ("The fix ships Friday, this I promise.", "over_promise", "The fix ships Friday."),
        # a weekday's numeric date moves with it, so no stale date is left behind
        (
            "The files will be on your SFTP on Tuesday 17/06.",
            "eta_no_buffer",
            "The files will be on your SFTP on Thursday (Tuesday 17/06 plus 2 working days).",
        ),
        (
            "We will ship it on Friday 18.04. for sure",
            "eta_no_buffer",
            "We will ship it on Tuesday (Friday 18.04. plus 2 working days) for sure",
        ),
        (
            "Klemen will retune the organ on Friday 18.04., you can count on it.",
            "eta_no_buffer",
            "Klemen will retune the organ on Tuesday (Friday 18.04. plus 2 working days),"
            " you can count on it.",
        ),
        # white space is squeezed before any swap (a long run once took a swap seconds)
        (
            "Every hotel will be back online," + " " * 250 + "I guarantee it.",
            "over_promise",
            "Every hotel will be back online.",
        ),
    ],
)
def test_rewrites_read_as_a_person_would_write_them(
    book: Playbook, text: str, rule: str, rewrite: str
) -> None:
    assert suggested(text, book, rule) == rewrite


def test_a_greeting_on_its_own_line_stays_out_of_the_rewrite(book: Playbook) -> None:
    """ "Hi Sam," ends in a comma, so the sentence of the next line takes it in; pasted over
    that sentence, a rewrite that began with it would greet the reader twice. A greeting
    in the sentence's own line is the sentence's words, and stays."""
    (eta,) = lint("Hi Sam,\nthe fix will be ready by Friday.", book.lint)
    assert (eta.line, eta.rule) == (2, "eta_no_buffer")
    assert 'Try: "the fix will be ready by Tuesday (Friday plus 2 working days)."' in (
        eta.suggestion
    )
    found = lint("Dear Ms Rossi,\nI promise it will never happen again.", book.lint)
    (promise,) = [f for f in found if f.rule == "over_promise"]
    assert 'Try: "We expect it should not happen again' in promise.suggestion
    (same_line,) = lint("Hi Sam, the fix will be ready by Friday.", book.lint)
    assert 'Try: "Hi Sam, the fix will be ready by Tuesday' in same_line.suggestion


def test_positions_stay_right_in_a_long_draft_full_of_findings(book: Playbook) -> None:
    text = "Fine line.\n" * 3000 + "We guarantee it.\n" + "Fine line.\n" * 10 + "We guarantee it."
    found = lint(text, book.lint)
    assert [(f.line, f.column, f.excerpt) for f in found] == [
        (3001, 1, "We guarantee"),
        (3012, 1, "We guarantee"),
    ]


def test_a_trigger_note_without_quotes_watches_its_distinctive_words(runner) -> None:
    from escalate_cli.cli import app

    note = "Hates being called a ticket number"
    added = runner.invoke(app, ["notes", "add", "Acme", "--kind", "trigger", note])
    assert added.exit_code == 0
    assert "watches for 'ticket number'" in added.stderr and "quote them" in added.stderr
    text = "Your ticket number is 4411.\nBoth ticket numbers are closed."
    found = runner.invoke(app, ["lint", "-", "--partner", "acme", "-f", "json"], input=text)
    assert [(f["line"], f["excerpt"]) for f in json.loads(found.stdout)] == [
        (1, "ticket number"),
        (2, "ticket numbers"),
    ]
    quoted = runner.invoke(app, ["notes", "add", "Acme", "--kind", "trigger", "'per our policy'"])
    assert "watches for 'per our policy'" in quoted.stderr and "quote them" not in quoted.stderr


def test_a_phrase_a_trigger_note_names_twice_is_watched_once(runner) -> None:
    from escalate_cli.cli import app
    from escalate_cli.triggers import trigger_phrases

    note = "Says 'going forward' constantly; hates 'Going forward' and 'per our policy'"
    assert trigger_phrases(note) == ["going forward", "per our policy"]
    assert trigger_phrases("Hates Ticket Number; hates being a ticket number") == ["Ticket Number"]
    added = runner.invoke(app, ["notes", "add", "Northwind Logistics", "-k", "trigger", note])
    assert "watches for 'going forward', 'per our policy'" in added.stderr
    # review: without quotes, a phrase said twice ran on into 'ticket number ticket number',
    # which no draft holds, so "Your ticket number" was missed
    twice = "Hates being called a ticket number, ticket number again"
    assert trigger_phrases(twice) == ["ticket number"]
    runner.invoke(app, ["notes", "add", "Globex", "-k", "trigger", twice])
    found = runner.invoke(app, ["lint", "-", "--partner", "Globex"], input="Your ticket number.")
    assert found.exit_code == 1 and "partner_trigger" in found.stdout


def test_a_trigger_finding_names_the_partner_and_the_command_to_read_its_notes(runner) -> None:
    from escalate_cli.cli import app

    note = "Says 'going forward' constantly"
    runner.invoke(app, ["notes", "add", "Northwind Logistics", "-k", "trigger", note])
    runner.invoke(app, ["partners", "alias", "Northwind Logistics", "NWL"])
    draft = "Going forward, we will send a weekly update."
    found = runner.invoke(app, ["lint", "-", "--partner", "nwl", "-f", "json"], input=draft)
    (finding,) = [f for f in json.loads(found.stdout) if f["rule"] == "partner_trigger"]
    assert finding["message"] == "Northwind Logistics has a recorded trigger: 'going forward'"
    assert finding["suggestion"] == (
        "Say it another way; check the partner's notes "
        "(escalate notes list 'Northwind Logistics' --kind trigger)"
    )
    one_word = lint("going forward", Lint(), [note], "Acme")
    assert one_word[0].suggestion.endswith("(escalate notes list Acme --kind trigger)")


def test_thousands_of_trigger_notes_are_looked_up_by_word(book: Playbook) -> None:
    notes = [f"'phrase number {i}'" for i in range(5000)] + ["'per our policy'"]
    text = "Per our policy, see phrase number 4999 and phrase number 12.\n" * 3
    found = lint(text, Lint(), notes, "Acme")
    assert [(f.line, f.column) for f in found][:3] == [(1, 1), (1, 21), (1, 44)]
    assert len(found) == 9


# --- patterns that cannot hang the coach --------------------------------------------------------


def playbook_with_pattern(tmp_path: Path, default_text: str, pattern: str) -> Path:
    text = default_text.replace(
        "        - '!{2,}|", f"        - '{pattern}'\n        - '!{{2,}}|", 1
    )
    path = tmp_path / "team.yaml"
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("pattern", "problem"),
    [
        ("(a+)+$", "repeats a repetition"),
        ("(a|ab)+c", "repeats a choice of alternatives"),
        ("(x)\\1", "back-reference"),
        ("\\b", "can match empty text"),
        ("(?=\\w)", "can match empty text"),
        ("\\B", "can match empty text"),
        ("{nope}", "names no word class: {nope}"),
    ],
)
def test_slow_or_empty_patterns_are_refused_by_validate(
    tmp_path, default_text, pattern, problem
) -> None:
    path = playbook_with_pattern(tmp_path, default_text, pattern)
    env = {**os.environ, "ESCALATE_HOME": str(tmp_path / "home")}
    for argv in (["playbook", "validate", str(path)], ["lint", "--playbook", str(path), "-"]):
        done = subprocess.run(
            [installed(), *argv],
            input="a" * 33 + "!",
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
            check=False,
        )
        assert done.returncode == 2, done.stderr
        assert problem in done.stderr and "team.yaml:" in done.stderr
        assert "Traceback" not in done.stderr


def test_a_gap_of_words_is_the_vetted_way_to_repeat(tmp_path, default_text) -> None:
    from escalate_cli.playbook import load

    path = playbook_with_pattern(tmp_path, default_text, "\\bwe\\s+{words:3}(?:{weekday})\\b")
    book = load(path)
    found = lint("we will see on monday", book.lint)
    assert [f.rule for f in found] == ["inflated_urgency"]


def test_a_runaway_pattern_is_stopped(runner, tmp_path, default_text, monkeypatch) -> None:
    from escalate_cli.cli import app
    from escalate_cli.commands import common

    monkeypatch.setattr(common, "LINT_SECONDS", 0.5)
    path = playbook_with_pattern(tmp_path, default_text, "[a-z]*[a-z]*[a-z]*[a-z]*[a-z]*[0-9]")
    result = runner.invoke(app, ["lint", "--playbook", str(path), "-"], input="a" * 5000)
    assert result.exit_code == 2
    assert "stopped after" in result.stderr and "too slow" in result.stderr


def test_lint_reads_no_more_than_the_limit_from_a_pipe(tmp_path) -> None:
    env = {**os.environ, "ESCALATE_HOME": str(tmp_path / "home")}
    producer = subprocess.Popen(["yes"], stdout=subprocess.PIPE)
    try:
        done = subprocess.run(
            [installed(), "lint", "-"],
            stdin=producer.stdout,
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
            check=False,
        )
    finally:
        producer.kill()
        producer.wait()
    assert done.returncode == 2 and "larger than 1,000,000 bytes" in done.stderr


def test_an_empty_draft_is_bad_input_not_a_clean_one(runner, tmp_path) -> None:
    """Review: an empty clipboard piped in said "No findings" and exit 0, as if the draft
    had been checked and passed."""
    from escalate_cli.cli import app

    for given in ("", "  \n\n"):
        piped = runner.invoke(app, ["lint", "-"], input=given)
        assert piped.exit_code == 2, given
        assert "the draft (standard input) is empty" in piped.stderr
    empty = tmp_path / "reply.txt"
    empty.write_text("", encoding="utf-8")
    named = runner.invoke(app, ["lint", str(empty)])
    assert named.exit_code == 2 and f"the draft ({empty}) is empty" in named.stderr
    assert runner.invoke(app, ["lint", "-"], input="Thanks, all set.\n").exit_code == 0


def test_a_second_look_finding_is_marked_in_every_format(runner) -> None:
    """A finding the second look made says so, so a reader can weigh it and a script can
    leave it out; the others say they are not."""
    from escalate_cli.cli import app

    text = (
        "We need this sorted URGENTLY!!\n"
        "They left the controllers on the old firmware after the rewire.\n"
    )
    found = runner.invoke(app, ["lint", "-", "-f", "json"], input=text)
    assert found.exit_code == 1
    assert [(f["rule"], f["second_look"]) for f in json.loads(found.stdout)] == [
        ("inflated_urgency", False),
        ("blame", True),
    ]
    markdown = runner.invoke(app, ["lint", "-", "-f", "markdown"], input=text).stdout
    assert "[`inflated_urgency`, warning]" in markdown
    assert "[`blame`, error, second look]" in markdown
    terminal = " ".join(runner.invoke(app, ["lint", "-"], input=text).stdout.split())
    assert "inflated_urgency “URGENTLY”" in terminal and "blame (second look) “They" in terminal
    assert terminal.count("(second look)") == 2  # the finding, and what it means
    assert "(second look) is less certain: the sentence scored under the rule's" in terminal
    alone = runner.invoke(app, ["lint", "-"], input="We need this sorted URGENTLY!!\n").stdout
    assert "second look" not in alone


def test_a_second_look_finding_is_marked_in_a_brief_and_kept_in_its_history() -> None:
    """Under each draft in text and Markdown, what it means said once in the terminal, and
    through `history show`, which rebuilds the brief from what was stored (a brief stored
    before the mark existed has none)."""
    import io

    from escalate_cli import present, report
    from escalate_cli.brief import Brief
    from escalate_cli.lint import Finding

    looked = Finding(2, 5, "blame", "error", "Blames.", "Own it.", "The courier left", True)
    shout = Finding(1, 1, "inflated_urgency", "warning", "Shouting.", "Calm.", "URGENT")
    result = Brief(
        texts={"manager_brief": "URGENT\nThe courier left it.\n", "customer_message": "Hi.\n"},
        warnings=(),
        findings={"manager_brief": [shout, looked], "customer_message": [looked]},
    )
    text = report.brief_text(result)
    assert text.count("[blame, second look]: Blames.") == 2 and "[inflated_urgency]:" in text
    assert report.brief_markdown(result).count("[`blame`, second look]") == 2
    out = io.StringIO()
    present.show_brief(result, out)
    shown = " ".join(out.getvalue().split())
    assert shown.count("blame (second look)") == 2 and shown.count("is less certain") == 1
    data = report.brief_data(result)
    assert [f["second_look"] for f in data["findings"]["manager_brief"]] == [False, True]
    assert report.brief_from_data(json.loads(json.dumps(data))) == result
    del data["findings"]["manager_brief"][1]["second_look"]  # as stored before Dec 5
    again = report.brief_from_data(data).findings["manager_brief"][1]
    assert again == replace(looked, second_look=False)


def test_a_draft_keeps_its_lookups_and_is_freed_with_them() -> None:
    """A run that lints thousands of drafts (the evaluation and benchmark scripts) must not
    keep them: each draft caches its own lookups, and they go when it goes."""
    import gc
    import weakref

    draft = Draft("The vendor will ship it on Friday.\nThanks!\n")
    assert draft.holding("vendor", True, True) == frozenset({0})
    assert draft.holding("vendor", True, True) is draft.holding("vendor", True, True)
    assert {"the", "vendor", "thanks"} <= set(draft.words(True, True)[0].split("\0"))
    gone = weakref.ref(draft)
    del draft
    gc.collect()
    assert gone() is None


def test_a_line_that_gives_the_customers_view_is_left_out(book: Playbook) -> None:
    """`theirs`: a line that starts with one of these labels is the customer's view, as
    the template wrote it ("What they want: …"), masked to its end for every rule; the
    writer's own line with the same words, and the label's words elsewhere, are read."""
    text = (
        "What they want: A guarantee it will never happen again.\n"
        "We guarantee it will never happen again.\n"
        "Proposed path: what they want: a guarantee it will never happen again."
    )
    found = lint(text, book.lint, theirs=["What they want:"])
    assert [(f.line, f.rule) for f in found] == [(2, "over_promise"), (3, "over_promise")]
    assert [f.line for f in lint(text, book.lint)] == [1, 2, 3]
    masked = Draft(text, theirs=["What they want:"]).masked.split("\n")
    assert masked[0] == " " * len(masked[0]) and masked[1:] == text.split("\n")[1:]
