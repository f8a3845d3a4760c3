"""Issue 12 through the command line: partner identity, history, outcomes, commitments
with a lifecycle, import that merges, and what the before-you-talk view and handover say."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from conftest import answers, write_yaml
from escalate_cli.cli import app
from test_brief import ORDINARY

# every test here runs on the local store and on a team database (conftest: `engine`)
pytestmark = pytest.mark.usefixtures("engine")

TODAY = time.strftime("%Y-%m-%d")


def run(runner, *args: str, input: str | None = None):
    return runner.invoke(app, list(args), input=input)


def ok(runner, *args: str):
    result = run(runner, *args)
    assert result.exit_code == 0, result.output
    return result


def brief_file(tmp_path: Path, **changes: object) -> Path:
    path = tmp_path / "brief.json"
    path.write_text(json.dumps({**ORDINARY, **changes}))
    return path


# -- partner identity ---------------------------------------------------------------------


def test_a_typo_is_refused_with_did_you_mean_unless_new(runner) -> None:
    ok(runner, "notes", "add", "Northwind Logistics", "--kind", "note", "x")
    for args in (
        ["notes", "add", "Nortwind Logistics", "--kind", "note", "y"],
        ["follow-up", "add", "Northwind Logistcs", "call back"],
        ["assess", "--partner", "northwind", "-a", "-", "--no-input"],
    ):
        refused = run(runner, *args, input="cancel_threat: yes\n")
        assert refused.exit_code == 2, args
        assert "did you mean 'Northwind Logistics'?" in refused.stderr
        assert "add --new" in refused.stderr
    names = [p["name"] for p in json.loads(ok(runner, "partners", "-f", "json").stdout)]
    assert names == ["Northwind Logistics"]
    ok(runner, "notes", "add", "Northwind", "--kind", "note", "another firm", "--new")
    ok(runner, "notes", "add", "NORTHWIND-logistics.", "--kind", "note", "same one")
    data = json.loads(ok(runner, "partners", "-f", "json").stdout)
    assert [(p["name"], p["notes"]) for p in data] == [
        ("Northwind", 1),
        ("Northwind Logistics", 2),
    ]


def test_rename_merge_alias_remove(runner) -> None:
    ok(runner, "notes", "add", "Nortwind", "--kind", "trigger", "per our policy")
    ok(runner, "follow-up", "add", "Nortwind", "call back", "--owner", "Dana")
    ok(runner, "notes", "add", "Northwind Logistics", "--kind", "note", "main", "--new")
    renamed = ok(runner, "partners", "rename", "nortwind", "Northwind Ltd")
    assert "renamed Nortwind to Northwind Ltd" in renamed.stderr
    merged = ok(runner, "partners", "merge", "Northwind Ltd", "Northwind Logistics")
    assert "moved 1 note, 1 commitment, 0 history entries" in merged.stderr
    assert "'Northwind Ltd' is now an alias of Northwind Logistics" in merged.stderr
    ok(runner, "partners", "alias", "Northwind Logistics", "NWL")
    listed = json.loads(ok(runner, "notes", "list", "nwl", "-f", "json").stdout)
    assert {n["partner"] for n in listed} == {"Northwind Logistics"} and len(listed) == 2
    (partner,) = json.loads(ok(runner, "partners", "-f", "json").stdout)
    assert partner["aliases"] == ["NWL", "Northwind Ltd"]
    follow = json.loads(ok(runner, "follow-up", "-p", "Northwind Ltd", "-f", "json").stdout)
    assert [c["what"] for c in follow] == ["call back"]

    refused = run(runner, "partners", "remove", "NWL")
    assert refused.exit_code == 2 and "add --yes" in refused.stderr
    assert run(runner, "notes", "list", "NWL").exit_code == 0  # nothing was removed
    removed = ok(runner, "partners", "remove", "NWL", "--yes")
    assert "removed Northwind Logistics: 2 notes, 0 history entries, 1 commitment, 2 aliases" in (
        removed.stderr
    )
    assert json.loads(ok(runner, "partners", "-f", "json").stdout) == []
    assert json.loads(ok(runner, "follow-up", "-f", "json").stdout) == []


def test_an_alias_is_removed_and_only_from_its_own_partner(runner) -> None:
    """A first-use review: `partners alias` added a name that nothing could take away."""
    ok(runner, "notes", "add", "Northwind Logistics", "--kind", "note", "main")
    ok(runner, "notes", "add", "Globex", "--kind", "note", "other")
    ok(runner, "partners", "alias", "Northwind Logistics", "NWL")
    ok(runner, "partners", "alias", "Northwind Logistics", "Northwind")
    ok(runner, "partners", "alias", "Globex", "GBX")
    removed = ok(runner, "partners", "alias", "northwind logistics", "nwl", "--remove")
    assert "removed the alias 'NWL' of Northwind Logistics" in removed.stderr
    assert removed.stdout == ""
    missing = run(runner, "notes", "list", "NWL")
    assert missing.exit_code == 2 and "no partner named 'NWL'" in missing.stderr
    partners = json.loads(ok(runner, "partners", "-f", "json").stdout)
    assert [(p["name"], p["aliases"]) for p in partners] == [
        ("Globex", ["GBX"]),
        ("Northwind Logistics", ["Northwind"]),
    ]
    theirs = run(runner, "partners", "alias", "Northwind", "GBX", "--remove")
    assert theirs.exit_code == 2 and "Traceback" not in theirs.output
    assert "'GBX' is not an alias of 'Northwind Logistics': it means 'Globex'" in theirs.stderr
    assert "escalate partners alias 'Globex' 'GBX' --remove" in theirs.stderr
    unknown = run(runner, "partners", "alias", "Northwind Logistics", "NWL", "--remove")
    assert unknown.exit_code == 2
    assert "'NWL' is not an alias of 'Northwind Logistics'; nothing was removed" in unknown.stderr
    assert "its aliases: Northwind" in unknown.stderr
    own = run(runner, "partners", "alias", "Northwind", "northwind logistics", "--remove")
    assert own.exit_code == 2
    assert "'northwind logistics' is the name of 'Northwind Logistics', not an alias" in own.stderr
    assert "escalate partners rename 'Northwind Logistics' NEW" in own.stderr
    ok(runner, "partners", "alias", "Northwind Logistics", "Northwind", "--remove")
    none = run(runner, "partners", "alias", "Northwind Logistics", "NW", "--remove")
    assert none.exit_code == 2 and "Northwind Logistics has no aliases" in none.stderr
    partners = json.loads(ok(runner, "partners", "-f", "json").stdout)
    assert [(p["name"], p["aliases"]) for p in partners] == [
        ("Globex", ["GBX"]),
        ("Northwind Logistics", []),
    ]
    helped = " ".join(ok(runner, "partners", "alias", "--help").stdout.split())
    assert 'escalate partners alias "Northwind Logistics" NWL --remove' in helped


# -- nothing lost without --partner --------------------------------------------------------


def test_brief_without_partner_is_kept_under_the_customer_it_names(runner, tmp_path) -> None:
    ok(runner, "notes", "add", "Acme Corp", "--kind", "trigger", "per our policy")
    briefed = ok(runner, "brief", "-a", str(brief_file(tmp_path, customer="ACME corp.")))
    assert "the brief is now #1 in Acme Corp's history, with 1 commitment" in briefed.stderr
    (entry,) = json.loads(ok(runner, "history", "acme corp", "-f", "json").stdout)
    assert (entry["kind"], entry["customer"], entry["has_drafts"]) == ("brief", "ACME corp.", True)
    (promise,) = json.loads(ok(runner, "follow-up", "-f", "json").stdout)
    assert (promise["partner"], promise["what"]) == ("Acme Corp", "send the hotfix plan")


def test_a_typo_customer_without_a_terminal_goes_to_the_local_history(runner, tmp_path) -> None:
    ok(runner, "notes", "add", "Acme Corp", "--kind", "note", "x")
    briefed = ok(runner, "brief", "-a", str(brief_file(tmp_path, customer="Acme Crop")))
    assert "did you mean 'Acme Corp'?" in briefed.stderr
    assert "the brief is now #1 in your local history, with 1 commitment" in briefed.stderr
    (entry,) = json.loads(ok(runner, "history", "-f", "json").stdout)
    assert (entry["partner"], entry["customer"]) == ("", "Acme Crop")
    (promise,) = json.loads(ok(runner, "follow-up", "-f", "json").stdout)
    assert promise["partner"] == ""  # still tracked
    assert [p["name"] for p in json.loads(ok(runner, "partners", "-f", "json").stdout)] == [
        "Acme Corp"
    ]


def test_assess_without_partner_or_customer_is_kept_in_the_local_history(runner, tmp_path):
    file = write_yaml(tmp_path / "a.yaml", answers(cancel_threat=True, deal_at_risk=True))
    assessed = ok(runner, "assess", "-a", str(file), "-f", "json")
    assert "kept as #1 in your local history" in assessed.stderr
    named = write_yaml(tmp_path / "b.yaml", {**answers(), "customer": "Globex"})
    ok(runner, "assess", "-a", str(named), "-f", "json")
    history = json.loads(ok(runner, "history", "-f", "json").stdout)
    assert [(e["id"], e["partner"], e["kind"]) for e in history] == [
        (2, "Globex", "assessment"),
        (1, "", "assessment"),
    ]
    assert history[1]["verdict"] == "escalate_now" and len(history[1]["signals"]) == 2


# -- history and outcomes -------------------------------------------------------------------


def test_history_show_reprints_a_briefs_drafts_in_every_format(runner, tmp_path) -> None:
    printed = ok(runner, "brief", "-a", str(brief_file(tmp_path)), "-p", "Acme", "-f", "json")
    original = json.loads(printed.stdout)
    again = json.loads(ok(runner, "history", "show", "1", "-f", "json").stdout)
    assert again == original
    markdown = ok(runner, "history", "show", "1", "-f", "markdown").stdout
    assert markdown == ok(runner, "brief", "-a", str(brief_file(tmp_path)), "-f", "markdown").stdout
    text = ok(runner, "history", "show", "1", "-f", "text").stdout
    assert text.startswith("Manager brief\n=============")
    assert "Customer message" in ok(runner, "history", "show", "1").stdout
    missing = run(runner, "history", "show", "99")
    assert missing.exit_code == 2 and "no history entry #99" in missing.stderr


def test_history_show_of_an_assessment_prints_what_was_recorded(runner, tmp_path) -> None:
    file = write_yaml(tmp_path / "a.yaml", answers(cancel_threat=True))
    ok(runner, "assess", "-a", str(file), "-p", "Acme", "-f", "json")
    shown = json.loads(ok(runner, "history", "show", "1", "-f", "json").stdout)
    assert (shown["kind"], shown["verdict"], shown["partner"]) == (
        "assessment",
        "escalate_now",
        "Acme",
    )
    assert "assessment" in ok(runner, "history", "show", "1", "-f", "markdown").stdout


def test_history_show_as_text_carries_no_markdown_escapes(runner, tmp_path) -> None:
    """`--format text` printed the Markdown form: "# \\#1", "escalate\\_now"."""
    file = write_yaml(tmp_path / "a.yaml", answers(cancel_threat=True))
    ok(runner, "assess", "-a", str(file), "-p", "Acme_Co [EU]", "-f", "json")
    text = ok(runner, "history", "show", "1", "-f", "text").stdout
    assert text.startswith("#1\n==\n")
    assert "assessment, Acme_Co [EU]: verdict escalate_now;" in text
    assert "\\" not in text
    assert "escalate\\_now" in ok(runner, "history", "show", "1", "-f", "markdown").stdout


def test_every_outcome_is_kept_with_its_date(runner, tmp_path) -> None:
    file = write_yaml(tmp_path / "a.yaml", answers(cancel_threat=True))
    ok(runner, "assess", "-a", str(file), "-p", "Acme", "-f", "json")
    ok(runner, "brief", "-a", str(brief_file(tmp_path)), "-p", "Acme", "-f", "json")
    first = ok(runner, "outcome", "Acme", "VP call held", "--date", "2026-11-20")
    assert "it has 1 outcome" in first.stderr
    second = ok(runner, "outcome", "acme", "renewal signed")
    assert (
        "outcome recorded for the brief" in second.stderr and "it has 2 outcomes" in second.stderr
    )
    ok(runner, "outcome", "Acme", "calmed down", "--id", "1")
    history = json.loads(ok(runner, "history", "Acme", "-f", "json").stdout)
    assert [(e["kind"], e["outcomes"]) for e in history] == [
        (
            "brief",
            [
                {"date": "2026-11-20", "text": "VP call held"},
                {"date": TODAY, "text": "renewal signed"},
            ],
        ),
        ("assessment", [{"date": TODAY, "text": "calmed down"}]),
    ]
    wrong = run(runner, "outcome", "Acme", "x", "--id", "99")
    assert wrong.exit_code == 2 and "no escalation #99" in wrong.stderr


# -- commitments ------------------------------------------------------------------------------


def test_commitment_lifecycle(runner, monkeypatch) -> None:
    monkeypatch.setattr("escalate_cli.commands.common.my_name", lambda: "Dana Smith")
    past = run(runner, "follow-up", "add", "Acme", "send notes", "--due", "2020-01-06")
    assert past.exit_code == 2 and "has already passed; nothing was recorded" in past.stderr
    assert "--allow-past" in past.stderr
    ok(runner, "follow-up", "add", "Acme", "send notes", "--owner", "me", "--due", "2030-03-04")
    ok(runner, "follow-up", "add", "Acme", "legal check", "--owner", "Lee", "--pending")
    listed = json.loads(ok(runner, "follow-up", "-f", "json").stdout)
    assert [(c["what"], c["owner"], c["state"]) for c in listed] == [
        ("send notes", "Dana Smith", "open"),
        ("legal check", "Lee", "pending"),
    ]
    assert (
        "pending: not agreed by its owner yet" in ok(runner, "follow-up", "-f", "markdown").stdout
    )
    edited = ok(runner, "follow-up", "edit", "2", "--agreed", "--due", "2030-03-08", "--owner", "I")
    assert "commitment #2 saved (open)" in edited.stderr
    assert run(runner, "follow-up", "edit", "2", "--due", "2020-01-01").exit_code == 2
    assert run(runner, "follow-up", "edit", "2").exit_code == 2  # nothing to change
    ok(runner, "follow-up", "done", "1")
    again = ok(runner, "follow-up", "done", "1")
    assert f"commitment #1 was already closed on {TODAY}; nothing changed" in again.stderr
    assert "reopened commitment #1" in ok(runner, "follow-up", "reopen", "1").stderr
    assert "is open; nothing changed" in ok(runner, "follow-up", "reopen", "1").stderr
    assert "removed commitment #2 of Acme: legal check (Dana Smith, due 2030-03-08)" in (
        ok(runner, "follow-up", "remove", "2").stderr
    )
    listed = json.loads(ok(runner, "follow-up", "-f", "json").stdout)
    assert [(c["id"], c["what"], c["state"]) for c in listed] == [(1, "send notes", "open")]
    assert run(runner, "follow-up", "remove", "2").exit_code == 2


def test_removing_a_note_or_a_commitment_says_what_went(runner) -> None:
    """Without a terminal nothing is asked, as scripts expect; what was removed is said."""
    text = "Says 'going forward' constantly; hates being told it is our policy"
    ok(runner, "notes", "add", "Acme", "--kind", "trigger", text)
    removed = ok(runner, "notes", "remove", "1")
    assert removed.stdout == ""
    assert removed.stderr == (
        "escalate: removed note #1 of Acme (trigger): "
        "Says 'going forward' constantly; hates being told it…\n"
    )
    what = "send the full root cause analysis to their CTO and to the whole ops team"
    ok(runner, "follow-up", "add", "Acme", what, "--owner", "Lee", "--due", "2030-03-08")
    removed = ok(runner, "follow-up", "remove", "1", "--no-input")
    assert removed.stderr == (
        "escalate: removed commitment #1 of Acme: "
        "send the full root cause analysis to their… (Lee, due 2030-03-08)\n"
    )


@pytest.mark.sqlite_only
def test_partners_an_older_store_kept_apart_by_accents_are_named_to_merge(
    runner, isolated_home
) -> None:
    from test_store import schema_5_store

    isolated_home.mkdir(mode=0o700, parents=True)
    schema_5_store(
        isolated_home,
        """INSERT INTO partners VALUES (1, 'Café Müller GmbH', 'cafémüllergmbh', 'x'),
        (2, 'Cafe Muller GmbH', 'cafemullergmbh', 'x');""",
    )
    listed = ok(runner, "partners", "-f", "json")
    assert [p["name"] for p in json.loads(listed.stdout)] == [
        "Cafe Muller GmbH",
        "Café Müller GmbH",
    ]
    assert (
        "'Cafe Muller GmbH' and 'Café Müller GmbH' now share one name; if they are one "
        "partner: escalate partners merge 'Cafe Muller GmbH' 'Café Müller GmbH'"
    ) in listed.stderr
    unclear = run(runner, "notes", "add", "CAFE MÜLLER GMBH", "-k", "note", "x", "--new")
    assert unclear.exit_code == 2 and "Traceback" not in unclear.output
    assert "'CAFE MÜLLER GMBH' could mean 2 partners" in unclear.stderr
    assert "hint: name it exactly as `escalate partners` lists it" in unclear.stderr
    ok(runner, "notes", "add", "Café Müller GmbH", "-k", "note", "x")
    ok(runner, "partners", "merge", "Cafe Muller GmbH", "Café Müller GmbH")
    assert "share one name" not in ok(runner, "partners").stderr
    ok(runner, "notes", "add", "CAFE MÜLLER GMBH", "-k", "note", "y")


# -- import merges ------------------------------------------------------------------------------


def test_reimport_updates_an_outcome_and_a_closed_commitment_in_place(
    runner, tmp_path, elsewhere
) -> None:
    ok(runner, "notes", "add", "Acme", "--kind", "trigger", "per our policy")
    ok(runner, "brief", "-a", str(brief_file(tmp_path)), "-p", "Acme", "-f", "json")
    ok(runner, "outcome", "Acme", "VP call booked")
    first = tmp_path / "first.json"
    ok(runner, "handover", "Acme", "-f", "json", "-o", str(first))
    elsewhere()
    imported = ok(runner, "import", str(first))
    assert "escalations: 1 added, 0 updated, 0 unchanged" in imported.stderr

    elsewhere(back=True)
    time.sleep(1.1)  # `updated` stamps have one-second resolution
    ok(runner, "outcome", "Acme", "hotfix shipped; renewal signed")
    ok(runner, "follow-up", "done", "1")
    later = tmp_path / "later.json"
    ok(runner, "handover", "Acme", "-f", "json", "-o", str(later))

    elsewhere()
    merged = ok(runner, "import", str(later))
    assert "notes: 0 added, 0 updated, 1 unchanged" in merged.stderr
    assert "escalations: 0 added, 1 updated, 0 unchanged" in merged.stderr
    assert "commitments: 0 added, 1 updated, 0 unchanged" in merged.stderr
    (entry,) = json.loads(ok(runner, "history", "Acme", "-f", "json").stdout)
    assert [o["text"] for o in entry["outcomes"]] == [
        "VP call booked",
        "hotfix shipped; renewal signed",
    ]
    assert json.loads(ok(runner, "follow-up", "-f", "json").stdout) == []  # closed there too
    again = ok(runner, "import", str(later))
    assert "0 added, 0 updated" in again.stderr and "1 updated" not in again.stderr
    assert (
        json.loads(ok(runner, "handover", "Acme", "-f", "json").stdout)["escalations"]
        == (json.loads(later.read_text())["escalations"])
    )


def test_import_of_a_close_name_asks_for_new(runner, tmp_path, elsewhere) -> None:
    ok(runner, "notes", "add", "Acme Corp", "--kind", "note", "x")
    exported = tmp_path / "acme.json"
    ok(runner, "handover", "Acme Corp", "-f", "json", "-o", str(exported))
    elsewhere()
    ok(runner, "notes", "add", "Acme Crop", "--kind", "note", "mine")
    refused = run(runner, "import", str(exported))
    assert refused.exit_code == 2 and "did you mean 'Acme Crop'?" in refused.stderr
    ok(runner, "import", str(exported), "--new")
    names = [p["name"] for p in json.loads(ok(runner, "partners", "-f", "json").stdout)]
    assert names == ["Acme Corp", "Acme Crop"]


def test_an_imported_handover_brings_the_partners_aliases(runner, tmp_path, elsewhere) -> None:
    """A first-use review: after `import`, the alias the team used found nothing."""
    ok(runner, "notes", "add", "Northwind Logistics", "--kind", "trigger", "per our policy")
    ok(runner, "partners", "alias", "Northwind Logistics", "NWL")
    ok(runner, "partners", "alias", "Northwind Logistics", "Northwind")
    exported = tmp_path / "northwind.json"
    ok(runner, "handover", "NWL", "-f", "json", "-o", str(exported))
    doc = json.loads(exported.read_text())
    assert doc["aliases"] == ["NWL", "Northwind"]
    text = ok(runner, "handover", "NWL").stdout
    assert "- Also known as: NWL, Northwind\n" in text

    elsewhere()
    imported = ok(runner, "import", str(exported))
    assert "aliases: 2 added, 0 updated, 0 unchanged" in imported.stderr
    listed = json.loads(ok(runner, "notes", "list", "nwl", "-f", "json").stdout)
    assert [(n["partner"], n["text"]) for n in listed] == [
        ("Northwind Logistics", "per our policy")
    ]
    (partner,) = json.loads(ok(runner, "partners", "-f", "json").stdout)
    assert partner["aliases"] == ["NWL", "Northwind"]
    again = ok(runner, "import", str(exported))
    assert "aliases: 0 added, 0 updated, 2 unchanged" in again.stderr
    round_trip = json.loads(ok(runner, "handover", "Northwind Logistics", "-f", "json").stdout)
    for exported_doc in (doc, round_trip):
        exported_doc.pop("exported")
    assert round_trip == doc

    older = {key: value for key, value in doc.items() if key != "aliases"}
    (tmp_path / "older.json").write_text(json.dumps(older))
    ok(runner, "partners", "remove", "Northwind Logistics", "--yes")
    ok(runner, "import", str(tmp_path / "older.json"))  # an export from before aliases
    (partner,) = json.loads(ok(runner, "partners", "-f", "json").stdout)
    assert (partner["name"], partner["aliases"]) == ("Northwind Logistics", [])


def test_an_imported_alias_another_partner_has_stays_theirs(runner, tmp_path, elsewhere) -> None:
    ok(runner, "notes", "add", "Northwind Logistics", "--kind", "note", "theirs")
    ok(runner, "partners", "alias", "Northwind Logistics", "NWL")
    exported = tmp_path / "northwind.json"
    ok(runner, "handover", "Northwind Logistics", "-f", "json", "-o", str(exported))
    elsewhere()
    ok(runner, "notes", "add", "NWL", "--kind", "note", "another firm called NWL")
    imported = ok(runner, "import", str(exported))
    assert "aliases: 0 added, 0 updated, 1 unchanged" in imported.stderr
    assert "'NWL' already means NWL, so it was not made an alias of Northwind" in imported.stderr
    assert "escalate partners merge 'NWL' 'Northwind Logistics'" in imported.stderr
    partners = json.loads(ok(runner, "partners", "-f", "json").stdout)
    assert [(p["name"], p["aliases"]) for p in partners] == [
        ("Northwind Logistics", []),
        ("NWL", []),
    ]
    mine = json.loads(ok(runner, "notes", "list", "NWL", "-f", "json").stdout)
    assert [n["text"] for n in mine] == ["another firm called NWL"]


def test_an_alias_taken_away_is_not_brought_back_by_a_later_import(
    runner, tmp_path, elsewhere
) -> None:
    """A first-use review: a wrong alias that came with an export, taken away, came back
    with the next export of the same partner. The import leaves it out and says how to
    give it back; given back by hand, the next import keeps it."""
    ok(runner, "notes", "add", "Northwind Logistics", "--kind", "note", "first")
    ok(runner, "partners", "alias", "Northwind Logistics", "NWL")
    ok(runner, "partners", "alias", "Northwind Logistics", "Northwind Freight")
    exported = tmp_path / "northwind.json"
    ok(runner, "handover", "NWL", "-f", "json", "-o", str(exported))
    elsewhere()
    ok(runner, "import", str(exported))
    ok(runner, "partners", "alias", "Northwind Logistics", "northwind freight", "--remove")
    again = ok(runner, "import", str(exported))  # the same partner's export, again
    assert "aliases: 0 added, 0 updated, 2 unchanged" in again.stderr
    assert (
        "'Northwind Freight' was left out: it was taken away as an alias of Northwind Logistics on "
    ) in again.stderr
    assert "escalate partners alias 'Northwind Logistics' 'Northwind Freight'" in again.stderr
    (partner,) = json.loads(ok(runner, "partners", "-f", "json").stdout)
    assert partner["aliases"] == ["NWL"]
    ok(runner, "partners", "alias", "Northwind Logistics", "Northwind Freight")
    ok(runner, "partners", "alias", "Northwind Logistics", "Northwind Freight", "--remove")
    ok(runner, "partners", "alias", "Northwind Logistics", "Northwind Freight")
    kept = ok(runner, "import", str(exported))
    assert "left out" not in kept.stderr
    (partner,) = json.loads(ok(runner, "partners", "-f", "json").stdout)
    assert partner["aliases"] == ["NWL", "Northwind Freight"]


def test_partners_and_handover_count_past_escalations_alike(runner, tmp_path) -> None:
    """A first-use review: an `escalation` note counted in the handover, not in `partners`."""
    ok(runner, "notes", "add", "Acme", "--kind", "escalation", "Q3 outage", "--date", "2026-09-14")
    advice = write_yaml(tmp_path / "advice.yaml", answers(routine_technical_issue=True))
    ok(runner, "assess", "-a", str(advice), "-p", "Acme", "-f", "json")
    ok(runner, "brief", "-a", str(brief_file(tmp_path)), "-p", "Acme", "-f", "json")
    ok(runner, "assess", "-a", str(advice), "-p", "Acme", "-f", "json")  # advice only
    ok(runner, "notes", "add", "Globex", "--kind", "escalation", "billing dispute")
    ok(runner, "notes", "add", "Initech", "--kind", "note", "quiet account")
    # the note, and the first assessment with the brief that followed it
    expected = {"Acme": 2, "Globex": 1, "Initech": 0}
    for name, count in expected.items():
        assert f"- Past escalations: {count}" in ok(runner, "handover", name).stdout, name
    listed = json.loads(ok(runner, "partners", "-f", "json").stdout)
    assert {p["name"]: p["past_escalations"] for p in listed} == expected
    table = ok(runner, "partners", "-f", "markdown").stdout
    assert "| partner | notes | past escalations | last assessed or briefed |" in table
    assert "| Acme | 1 | 2 | " in table and "| Globex | 1 | 1 | - |" in table


# -- before you talk, handover ------------------------------------------------------------------


def test_before_you_talk_shows_agreements_lessons_and_outcomes_latest_first(runner, tmp_path):
    for day in range(1, 8):
        ok(runner, "notes", "add", "Acme", "--kind", "agreement", f"deal {day}", "--date",
           f"2026-11-0{day}")  # fmt: skip
    ok(runner, "notes", "add", "Acme", "--kind", "lesson", "answer within a day")
    file = write_yaml(tmp_path / "a.yaml", answers(cancel_threat=True))
    ok(runner, "assess", "-a", str(file), "-p", "Acme", "-f", "json")
    ok(runner, "outcome", "Acme", "calmed down", "--date", "2026-11-20")
    shown = ok(runner, "assess", "-a", str(file), "-p", "Acme", "-f", "json").stderr
    assert "Agreements and decisions" in shown and "Lessons learned" in shown
    assert shown.index("deal 7") < shown.index("deal 3")  # most recent first
    assert "deal 2" not in shown and "and 2 more" in shown
    assert "answer within a day" in shown and "2026-11-20: calmed down" in shown


def test_before_you_talk_shows_what_they_expect_and_other_notes(runner, tmp_path):
    """Review: an `expectation` note ("an RCA within 5 working days of any P1") and a plain
    note ("Dana is on leave 20-31 Dec") were never shown before a call, so the brief then
    promised the RCA later than they expect, with no reminder."""
    ok(runner, "notes", "add", "Acme", "--kind", "expectation",
       "They expect an RCA within 5 working days of any P1")  # fmt: skip
    ok(runner, "notes", "add", "Acme", "--kind", "note", "Dana is on leave 20-31 Dec",
       "--date", "2026-11-02")  # fmt: skip
    file = write_yaml(tmp_path / "a.yaml", answers(cancel_threat=True))
    shown = ok(runner, "assess", "-a", str(file), "-p", "Acme", "-f", "json").stderr
    assert "Roles and expectations" in shown
    assert "They expect an RCA within 5 working days of any P1" in shown
    assert "Other notes" in shown and "2026-11-02: Dana is on leave 20-31 Dec" in shown


def test_handover_names_who_hands_over_merges_an_escalation_and_confirms_channel(
    runner, tmp_path
) -> None:
    ok(runner, "notes", "add", "Acme", "--kind", "communication", "Slack daily, call on Tuesdays")
    file = write_yaml(tmp_path / "a.yaml", answers(cancel_threat=True))
    ok(runner, "assess", "-a", str(file), "-p", "Acme", "-f", "json")
    ok(runner, "brief", "-a", str(brief_file(tmp_path)), "-p", "Acme", "-f", "json")
    text = ok(runner, "handover", "Acme", "--from", "Dana Smith", "--to", "Jordan Lee").stdout
    assert f"Prepared {TODAY} by Dana Smith for Jordan Lee." in text
    history = text[text.index("## Escalation history") : text.index("## Trigger words")]
    entries = [line for line in history.splitlines() if line.startswith("- ")]
    assert entries == [f"- {TODAY}: assessment that said escalate now, then brief"]
    assert "  - issue: the nightly export" in history
    intro = text[text.index("## Draft introduction") :]
    assert "taking over from Dana Smith" in intro
    assert "- Slack daily, call on Tuesdays" in intro
    assert "which channel you prefer" not in intro
    doc = json.loads(ok(runner, "handover", "Acme", "--from", "Dana Smith", "-f", "json").stdout)
    assert doc["from"] == "Dana Smith" and doc["version"] == 2
    assert all(len(item["uid"]) == 32 for item in doc["notes"] + doc["commitments"])
