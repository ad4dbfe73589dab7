"""Tokenising, sentence splitting (including run-on transcripts) and word-time alignment."""

from desktop_app.analysis.text import attach_times, split_sentences, tokenize
from desktop_app.domain import Word


def test_tokens_keep_char_spans_numbers_and_contractions() -> None:
    text = "I'd cut p99 from 2s to 300ms, saving $2,000 (about 40%)."
    toks = tokenize(text)
    assert [t.text for t in toks] == [
        "I'd",
        "cut",
        "p99",
        "from",
        "2s",
        "to",
        "300ms",
        "saving",
        "$2,000",
        "about",
        "40%",
    ]
    assert all(text[t.char_start : t.char_end] == t.text for t in toks)
    assert [t.is_number for t in toks if t.text in {"2s", "$2,000", "40%", "p99"}] == [
        False,
        True,
        True,
        True,
    ]


def test_sentences_split_on_punctuation_not_abbreviations() -> None:
    text = "We used Redis, e.g. for sessions. Dr. Lee agreed! Did it work? Yes."
    sents = split_sentences(text, tokenize(text))
    assert [s.low for s in sents] == [
        "we used redis e g for sessions",
        "dr lee agreed",
        "did it work",
        "yes",
    ]


def test_run_on_transcript_is_split_at_discourse_markers() -> None:
    text = (
        "at my last job the build took forty minutes and everyone was waiting on it all day "
        "my job was to get it under ten minutes before the release in march "
        "so I profiled every step and moved the slow tests into a parallel stage "
        "as a result the build now takes eight minutes and the team ships twice as often"
    )
    sents = split_sentences(text, tokenize(text))
    assert len(sents) >= 3
    assert any(s.low.startswith("my job was") for s in sents)
    assert any(s.low.startswith("as a result") for s in sents)


def test_run_on_transcript_is_split_at_long_pauses() -> None:
    text = " ".join(f"w{i}" for i in range(60))
    toks = tokenize(text)
    words = [
        Word(t.text, i * 0.4 + (1.5 if i >= 20 else 0.0), i * 0.4 + 0.3) for i, t in enumerate(toks)
    ]
    attach_times(toks, words)
    sents = split_sentences(text, toks)
    assert sents[0].tokens[-1].text == "w19"
    assert sents[1].tokens[0].text == "w20"


def test_attach_times_matches_whisper_words_with_punctuation() -> None:
    text = "So, I'd rather not. It's fine."
    toks = tokenize(text)
    words = [
        Word(" So,", 0.0, 0.2),
        Word(" I'd", 0.3, 0.5),
        Word(" rather", 0.5, 0.8),
        Word(" not.", 0.8, 1.0),
        Word(" It's", 1.5, 1.7),
        Word(" fine.", 1.7, 2.0),
    ]
    assert attach_times(toks, words) == len(toks)
    assert (toks[1].start, toks[-1].end) == (0.3, 2.0)
