"""The question bank: the bundled packs are complete and valid; bad packs are reported precisely."""

from __future__ import annotations

import re
import shutil
import sys
from collections import Counter
from pathlib import Path

import pytest

from desktop_app.domain import AUDIENCES, KINDS
from desktop_app.paths import prompts_dir
from desktop_app.questions import SENIORITIES, PackError, QuestionBank

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

BUNDLED = prompts_dir()

GOOD = """\
[pack]
name = "Mine"
version = "1"
description = "My own questions"
language = "en"

[[question]]
id = "mine-first"
text = "Tell me about your favourite bug."
competency = "Debugging stories"
kind = "behavioural"
seniority = ["junior"]
follow_ups = ["How did you find it?"]
strong_answer = "A specific bug."

[[question]]
id = "mine-second"
text = "Explain DNS to your grandmother."
competency = "Explaining to non-technical audiences"
kind = "communication"
audience = "non-technical"
"""


def line_of(text: str, needle: str, nth: int = 0) -> int:
    """1-based line of the nth line containing ``needle``."""
    hits = [i + 1 for i, line in enumerate(text.splitlines()) if needle in line]
    return hits[nth]


def question(qid: str, **fields: str) -> str:
    body = {"id": f'"{qid}"', "text": '"A question?"', "competency": '"Conflict"',
            "kind": '"behavioural"', **fields}
    return "[[question]]\n" + "".join(f"{k} = {v}\n" for k, v in body.items() if v) + "\n"


@pytest.fixture(scope="module")
def bank() -> QuestionBank:
    return QuestionBank.load([BUNDLED])


# ----- the bundled bank -------------------------------------------------------------------

def test_bundled_bank_loads_cleanly_and_is_big_enough(bank: QuestionBank) -> None:
    assert bank.errors == [], "\n".join(map(str, bank.errors))
    assert len(bank.questions) >= 80
    assert len(bank.competencies()) >= 10
    assert bank.kinds() == list(KINDS)
    assert len(bank.packs) >= 4 and sum(p.count for p in bank.packs) == len(bank)


def test_bundled_bank_covers_the_classic_and_senior_engineering_rounds(bank: QuestionBank) -> None:
    required = {
        # classic behavioural set
        "Conflict", "Failure and learning", "Leadership without authority", "Prioritisation",
        "Receiving feedback", "Customer focus", "Ownership", "Adaptability and ambiguity",
        "Influence",
        # senior-engineer rounds
        "Mentoring", "Design disagreement", "Technical debt", "Incident diagnosis",
        "Explaining to non-technical audiences", "Defending a design", "Estimation", "On-call",
        "Code review", "Migrations and rollouts",
    }
    counts = Counter(q.competency for q in bank.questions)
    missing = required - set(counts)
    assert not missing, f"competencies missing: {sorted(missing)}"
    thin = {c: n for c, n in counts.items() if c in required and n < 3}
    assert not thin, f"competencies with fewer than 3 questions: {thin}"
    incident = bank.get("incident-500s-at-peak")
    assert incident is not None and "500" in incident.text and "peak" in incident.text
    assert incident.kind == "technical-reasoning"


def test_bundled_ids_are_unique_across_files_and_kebab_case(bank: QuestionBank) -> None:
    raw_ids = []
    for path in sorted(BUNDLED.glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        raw_ids += [q["id"] for q in data["question"]]
    dupes = [i for i, n in Counter(raw_ids).items() if n > 1]
    assert dupes == []
    assert len(raw_ids) == len(bank.questions)
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", i) for i in raw_ids)


def test_every_bundled_question_is_complete(bank: QuestionBank) -> None:
    for q in bank.questions:
        assert 1 <= len(q.follow_ups) <= 3, q.id
        assert all(len(f) >= 15 and f[-1] in "?." for f in q.follow_ups), q.id
        assert len(q.strong_answer) >= 60, q.id
        assert q.seniority and set(q.seniority) <= set(SENIORITIES), q.id
        assert q.audience in AUDIENCES and q.kind in KINDS, q.id
        assert q.text.strip() and q.competency and q.pack, q.id
    texts = [q.text.casefold() for q in bank.questions]
    assert len(set(texts)) == len(texts)
    follow_ups = [f.casefold() for q in bank.questions for f in q.follow_ups]
    assert len(set(follow_ups)) == len(follow_ups), "follow-ups should be specific, not reused"


def test_non_technical_audience_questions_are_explanations(bank: QuestionBank) -> None:
    lay = bank.filter(audience="non-technical")
    assert len(lay) >= 5
    assert all(q.kind == "communication" for q in lay)
    assert any("CFO" in q.text for q in lay)


def test_bundled_pack_headers_note_their_source(bank: QuestionBank) -> None:
    for path in BUNDLED.glob("*.toml"):
        header = tomllib.loads(path.read_text(encoding="utf-8"))["pack"]
        for key in ("name", "version", "description", "language", "source"):
            assert isinstance(header.get(key), str) and header[key], (path.name, key)


def test_queries(bank: QuestionBank) -> None:
    assert bank.competencies() == sorted(bank.competencies(), key=str.casefold)
    conflict = bank.filter(competency="conflict")  # case-insensitive
    assert conflict and all(q.competency == "Conflict" for q in conflict)
    seniors = bank.filter(kind="technical-reasoning", seniority="senior")
    assert seniors and all(q.kind == "technical-reasoning" and "senior" in q.seniority
                           for q in seniors)
    assert bank.filter(competency="No such thing") == []
    assert bank.get("no-such-id") is None
    first = bank.questions[0]
    assert bank.get(first.id) is first


# ----- malformed packs ---------------------------------------------------------------------

@pytest.fixture
def packs(tmp_path: Path) -> Path:
    """A copy of the bundled packs to which tests add bad ones."""
    d = tmp_path / "prompts"
    shutil.copytree(BUNDLED, d)
    return d


def test_syntax_error_names_file_line_and_field_and_other_packs_load(packs: Path) -> None:
    base = len(QuestionBank.load([BUNDLED]))
    text = GOOD.replace('kind = "communication"', "kind = communication")
    bad = packs / "broken.toml"
    bad.write_text(text, encoding="utf-8")
    bank = QuestionBank.load([packs])
    assert len(bank.errors) == 1
    err = bank.errors[0]
    assert isinstance(err, PackError)
    assert err.file == bad and err.line == line_of(text, "kind = communication")
    assert err.field == "kind" and "syntax" in err.message
    assert str(err).startswith(f"{bad}:{err.line}: kind: ")
    assert len(bank) == base  # the whole broken file is skipped, every other pack loads


def test_missing_required_field_points_at_the_question(packs: Path) -> None:
    text = GOOD + question("no-text", text="") + question("after-it")
    (packs / "zz-user.toml").write_text(text, encoding="utf-8")
    bank = QuestionBank.load([packs])
    [err] = bank.errors
    assert err.field == "text" and "missing" in err.message and "no-text" in err.message
    assert err.line == line_of(text, "[[question]]", 2)  # the third question's header
    assert err.file.name == "zz-user.toml"
    assert bank.get("no-text") is None
    assert bank.get("mine-first") and bank.get("mine-second") and bank.get("after-it")


def test_bad_kind_and_wrong_type_point_at_the_field_line(packs: Path) -> None:
    text = (GOOD + question("bad-kind", kind='"behavoural"')
            + question("bad-type", text="42")
            + question("bad-list", seniority='"senior"'))
    path = packs / "user.toml"
    path.write_text(text, encoding="utf-8")
    bank = QuestionBank.load([packs])
    by_field = {e.field: e for e in bank.errors}
    assert set(by_field) == {"kind", "text", "seniority"}
    assert by_field["kind"].line == line_of(text, 'kind = "behavoural"')
    assert "did you mean 'behavioural'" in by_field["kind"].message
    assert by_field["text"].line == line_of(text, "text = 42")
    assert "must be a string, not an integer" in by_field["text"].message
    assert by_field["seniority"].line == line_of(text, 'seniority = "senior"')
    assert "list of strings" in by_field["seniority"].message
    assert all(e.file == path for e in bank.errors)
    assert [q.id for q in bank.questions if q.pack == "Mine"] == ["mine-first", "mine-second"]


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"seniority": '["senior", "principal"]'}, "seniority", "unknown level 'principal'"),
        ({"follow_ups": "[]"}, "follow_ups", "found 0"),
        ({"follow_ups": '["a?", "b?", "c?", "d?"]'}, "follow_ups", "found 4"),
        ({"follow_ups": '["a?", 3]'}, "follow_ups", "list of strings"),
        ({"audience": '"lay"'}, "audience", "not one of"),
        ({"id": '"Not Kebab"'}, "id", "kebab-case"),
        ({"strong_answer": "[1]"}, "strong_answer", "must be a string"),
    ],
)
def test_each_schema_rule_is_enforced(tmp_path: Path, fields: dict[str, str], field: str,
                                      words: str) -> None:
    text = question("good-one") + question("checked", **fields)
    path = tmp_path / "p.toml"
    path.write_text(text, encoding="utf-8")
    bank = QuestionBank.load([tmp_path])
    [err] = bank.errors
    assert err.field == field and words in err.message
    assert err.line == line_of(text, f"{field} =", 1 if field == "id" else 0)
    assert [q.id for q in bank.questions] == ["good-one"]


def test_multiline_strings_do_not_confuse_line_numbers(tmp_path: Path) -> None:
    text = question("first", strong_answer='"""\n[[question]]\nkind = "x"\n"""') + question(
        "second", text='"""\nkind = "fake"\n"""', kind='"nope"')
    (tmp_path / "p.toml").write_text(text, encoding="utf-8")
    [err] = QuestionBank.load([tmp_path]).errors
    assert err.line == line_of(text, 'kind = "nope"')


def test_unknown_fields_are_reported_but_the_question_loads(tmp_path: Path) -> None:
    text = question("typo", folow_ups='["x?"]')
    (tmp_path / "p.toml").write_text(text, encoding="utf-8")
    bank = QuestionBank.load([tmp_path])
    [err] = bank.errors
    assert err.field == "folow_ups" and "did you mean 'follow_ups'" in err.message
    assert err.line == line_of(text, "folow_ups")
    assert bank.get("typo") is not None


def test_pack_without_questions_and_non_utf8_are_reported(tmp_path: Path) -> None:
    (tmp_path / "a.toml").write_text('[pack]\nname = "Empty"\n\n[[questions]]\nid = "x"\n')
    (tmp_path / "b.toml").write_bytes(b'[[question]]\nid = "caf\xe9"\n')
    (tmp_path / "c.toml").write_text(question("survivor"))
    bank = QuestionBank.load([tmp_path])
    assert {(e.file.name, e.field) for e in bank.errors} >= {("a.toml", "question"),
                                                             ("b.toml", None)}
    assert any("UTF-8" in e.message for e in bank.errors)
    assert [q.id for q in bank.questions] == ["survivor"]


# ----- user packs, duplicates, folders -----------------------------------------------------

def test_user_pack_folder_adds_questions(tmp_path: Path) -> None:
    user = tmp_path / "packs"
    user.mkdir()
    (user / "mine.toml").write_text(GOOD, encoding="utf-8")
    (user / "no-header.toml").write_text(question("headerless"), encoding="utf-8")
    base = QuestionBank.load([BUNDLED])
    bank = QuestionBank.load([BUNDLED, user])
    assert bank.errors == []
    assert len(bank) == len(base) + 3
    mine = bank.get("mine-second")
    assert mine is not None and mine.pack == "Mine" and mine.audience == "non-technical"
    assert mine.seniority == () and mine in bank.filter(seniority="staff")  # untagged = any level
    assert bank.get("headerless").pack == "no-header"  # pack name defaults to the file stem
    assert "Debugging stories" in bank.competencies()
    assert bank.questions[-3:] == [bank.get("mine-first"), bank.get("mine-second"),
                                   bank.get("headerless")]


def test_duplicate_id_names_both_files_and_skips_the_later(tmp_path: Path) -> None:
    user = tmp_path / "packs"
    user.mkdir()
    text = question("conflict-teammate-disagreement", text='"My version"') + question("fresh")
    (user / "dupe.toml").write_text(text, encoding="utf-8")
    bank = QuestionBank.load([BUNDLED, user])
    [err] = bank.errors
    assert err.file == user / "dupe.toml" and err.field == "id"
    assert err.line == line_of(text, 'id = "conflict-teammate-disagreement"')
    assert "10-core-behavioural.toml" in err.message and "duplicate" in err.message
    kept = bank.get("conflict-teammate-disagreement")
    assert kept is not None and kept.text != "My version"
    assert bank.get("fresh") is not None


def test_duplicate_id_within_one_file(tmp_path: Path) -> None:
    (tmp_path / "p.toml").write_text(question("same") + question("same", text='"Again?"'))
    bank = QuestionBank.load([tmp_path])
    [err] = bank.errors
    assert "duplicate id 'same'" in err.message
    assert bank.get("same").text == "A question?"


def test_missing_empty_and_repeated_folders_are_fine(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "notes.txt").write_text("not a pack")
    bank = QuestionBank.load([empty, tmp_path / "does-not-exist"])
    assert bank.questions == [] and bank.errors == []
    twice = QuestionBank.load([BUNDLED, BUNDLED])
    assert twice.errors == [] and len(twice) == len(QuestionBank.load([BUNDLED]))
    assert len(QuestionBank.load([])) == 0


def test_pack_error_string_format() -> None:
    assert str(PackError(Path("a.toml"), 3, "kind", "bad")) == "a.toml:3: kind: bad"
    assert str(PackError(Path("a.toml"), None, None, "bad")) == "a.toml: bad"


def test_the_us_spelling_behavioral_is_accepted(tmp_path: Path) -> None:
    (tmp_path / "us.toml").write_text(GOOD.replace('kind = "behavioural"', 'kind = "behavioral"'),
                                      encoding="utf-8")
    bank = QuestionBank.load([tmp_path])
    assert bank.errors == []
    assert bank.get("mine-first").kind == "behavioural"  # one spelling inside the app
    assert [q.id for q in bank.filter(kind="behavioural")] == ["mine-first"]


@pytest.mark.parametrize("nested", ["x = " + "[" * 5000 + "]" * 5000,
                                    "x = " + "{a = " * 5000 + "1" + "}" * 5000])
def test_a_pack_nested_thousands_deep_is_reported_and_skipped(tmp_path: Path, nested: str
                                                              ) -> None:
    (tmp_path / "deep.toml").write_text(nested + "\n", encoding="utf-8")
    (tmp_path / "good.toml").write_text(GOOD, encoding="utf-8")
    bank = QuestionBank.load([tmp_path])
    assert [q.id for q in bank.questions] == ["mine-first", "mine-second"]
    [error] = bank.errors
    assert error.file == tmp_path / "deep.toml" and "nested too deeply" in error.message
    assert "skipped" in error.message


def test_line_numbers_stay_right_deep_into_a_large_pack(tmp_path: Path) -> None:
    body = "".join(question(f"q-{i}", text=f'"Question {i}?"') for i in range(3000))
    body += question("bad-one", audience='"everyone"') + question("bad-two", kind='"trivia"')
    text = GOOD + body
    (tmp_path / "big.toml").write_text(text, encoding="utf-8")
    bank = QuestionBank.load([tmp_path])
    assert len(bank.questions) == 3002
    by_field = {e.field: e for e in bank.errors}
    assert set(by_field) == {"audience", "kind"}
    assert by_field["audience"].line == line_of(text, 'audience = "everyone"')
    assert by_field["kind"].line == line_of(text, 'kind = "trivia"')
    assert bank.packs[0].count == 3002
