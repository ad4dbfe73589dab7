"""Values packs: the bundled ones load, a broken one is reported with file, line and field, and
the question loader leaves values packs in the user's packs/ folder alone."""

from __future__ import annotations

import pytest

from desktop_app.paths import prompts_dir
from desktop_app.questions import QuestionBank
from desktop_app.session.values import ValuesBank


def test_bundled_packs_load_cleanly_and_map_to_competencies_the_bank_has(bank, values_bank):
    assert values_bank.errors == []
    assert len(values_bank.packs) >= 5
    competencies = set(bank.competencies())
    for pack in values_bank.packs:
        assert len(pack.values) >= 3 and pack.description
        for v in pack.values:
            assert v.description and set(v.competencies) <= competencies


GOOD_VALUE = '''
[[value]]
id = "craft"
name = "Craft"
description = "Care about the details."
competencies = ["Code review"]
'''


def load(tmp_path, text, bank):
    user = tmp_path / "packs"
    user.mkdir(exist_ok=True)
    (user / "acme.toml").write_text(text, encoding="utf-8")
    return ValuesBank.load(prompts_dir() / "values", user, bank.competencies())


@pytest.mark.parametrize(("body", "line", "field", "words"), [
    ('[[value]]\nid = "ownership"\nname = "Ownership"\ndescription = "x"\n'
     'competencies = ["Ownershp"]\n', 14, "competencies", "did you mean 'Ownership'"),
    ('[[value]]\nid = "bias"\nname = "Bias"\ndescription = "x"\ncompetencies = "Ownership"\n',
     14, "competencies", "must be a list"),
    ('[[value]]\nid = "bias"\ndescription = "x"\ncompetencies = ["Ownership"]\n',
     10, "name", "missing"),
    ('[[value]]\nid = "Bias For Action"\nname = "B"\ndescription = "x"\n'
     'competencies = ["Ownership"]\n', 11, "id", "kebab-case"),
    ('[[value]]\nid = "bias"\nname = "B"\ndescription = "x"\ncompetencies = ["Ownership"]\n'
     'questions = []\n', 15, "questions", "1 to 3"),
    ('[[value]]\nid = "bias"\nname = "B"\ndescripton = "x"\ndescription = "y"\n'
     'competencies = ["Ownership"]\n', 13, "descripton", "did you mean 'description'"),
])
def test_a_broken_value_is_reported_with_file_line_and_field(tmp_path, bank, body, line, field,
                                                            words):
    text = '[values]\nname = "Acme"\n' + GOOD_VALUE + "\n" + body
    vb = load(tmp_path, text, bank)
    errs = [e for e in vb.errors if e.file.name == "acme.toml"]
    assert errs, vb.errors
    e = errs[0]
    assert (e.line, e.field) == (line, field), str(e)
    assert words in e.message
    assert str(e).startswith(f"{tmp_path / 'packs' / 'acme.toml'}:{line}: {field}:")
    acme = vb.get("acme")  # the good value still loads
    assert acme is not None and [v.id for v in acme.values][0] == "craft"


def test_a_syntax_error_in_a_values_pack_names_its_line(tmp_path, bank):
    vb = load(tmp_path, '[values]\nname = "Acme"\n' + GOOD_VALUE + 'oops = \n', bank)
    (e,) = [e for e in vb.errors if e.file.name == "acme.toml"]
    assert e.line == 9 and "TOML syntax error" in e.message
    assert vb.get("acme") is None


def test_values_and_question_packs_share_the_packs_folder(tmp_path, bank):
    user = tmp_path / "packs"
    load(tmp_path, '[values]\nname = "Acme"\n' + GOOD_VALUE, bank)
    (user / "mine.toml").write_text(
        '[[question]]\nid = "my-q"\ntext = "Tell me about a time."\ncompetency = "Ownership"\n'
        'kind = "behavioural"\n', encoding="utf-8")
    questions = QuestionBank.load([prompts_dir(), user])
    assert questions.errors == [] and questions.get("my-q") is not None
    vb = ValuesBank.load(prompts_dir() / "values", user, questions.competencies())
    assert vb.errors == [] and vb.get("acme").name == "Acme" and vb.get("mine") is None


def test_a_bundled_file_without_a_values_table_is_reported(tmp_path, bank):
    folder = tmp_path / "values"
    folder.mkdir()
    (folder / "bad.toml").write_text(GOOD_VALUE, encoding="utf-8")
    vb = ValuesBank.load(folder, None, bank.competencies())
    assert [e.field for e in vb.errors] == ["values"] and "missing [values]" in str(vb.errors[0])
