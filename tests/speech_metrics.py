"""Word error rate for spoken-answer tests, after Whisper's English normalisation."""

from __future__ import annotations


def wer(reference: str, hypothesis: str) -> float:
    """WER ignoring case, punctuation and number spelling ("ten percent" == "10%")."""
    import jiwer
    from whisper.normalizers import EnglishTextNormalizer

    norm = EnglishTextNormalizer()
    return jiwer.wer(norm(reference), norm(hypothesis))


def _aligned(reference: str, hypothesis: str):
    import jiwer
    from whisper.normalizers import EnglishTextNormalizer

    norm = EnglishTextNormalizer()
    ref, hyp = norm(reference).split(), norm(hypothesis).split()
    if not ref or not hyp:
        return ref, hyp, []
    out = jiwer.process_words(" ".join(ref), " ".join(hyp))
    return ref, hyp, out.alignments[0]


def dropped_stretches(reference: str, hypothesis: str, min_words: int = 8) -> list[str]:
    """Runs of at least ``min_words`` consecutive reference words missing from the hypothesis
    (deleted in the alignment; a substitution or match ends a run)."""
    ref, hyp, chunks = _aligned(reference, hypothesis)
    if not hyp:
        return [" ".join(ref)] if len(ref) >= min_words else []
    runs: list[tuple[int, int]] = []
    for c in chunks:
        if c.type != "delete":
            continue
        if runs and runs[-1][1] == c.ref_start_idx:
            runs[-1] = (runs[-1][0], c.ref_end_idx)
        else:
            runs.append((c.ref_start_idx, c.ref_end_idx))
    return [" ".join(ref[a:b]) for a, b in runs if b - a >= min_words]


def repetition_loops(reference: str, hypothesis: str, min_repeats: int = 3) -> list[str]:
    """Phrases of 1-8 words said ``min_repeats``+ times in a row in the hypothesis (4+ for one
    word) that the reference does not repeat so: Whisper's repetition loops."""
    from whisper.normalizers import EnglishTextNormalizer

    norm = EnglishTextNormalizer()

    def loops(words: list[str]) -> dict[str, int]:
        found: dict[str, int] = {}
        for n in range(1, 9):
            need = max(min_repeats, 4 if n == 1 else min_repeats)
            i = 0
            while i + n * need <= len(words):
                phrase = words[i : i + n]
                k = 1
                while words[i + k * n : i + (k + 1) * n] == phrase:
                    k += 1
                if k >= need:
                    key = " ".join(phrase)
                    found[key] = found.get(key, 0) + 1
                    i += k * n
                else:
                    i += 1
        return found

    ref, hyp = loops(norm(reference).split()), loops(norm(hypothesis).split())
    return [p for p, count in hyp.items() if count > ref.get(p, 0)]


def sentence_coverage(reference: str, hypothesis: str) -> list[tuple[str, float]]:
    """For each reference sentence, the share of its words heard (matched or misheard, not
    deleted) in the hypothesis: a sentence Whisper skipped scores near 0."""
    import re

    import jiwer
    from whisper.normalizers import EnglishTextNormalizer

    norm = EnglishTextNormalizer()
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", reference.strip()) if norm(s).split()]
    owner: list[int] = []
    ref: list[str] = []
    for i, s in enumerate(sentences):
        words = norm(s).split()
        ref += words
        owner += [i] * len(words)
    hyp = norm(hypothesis).split()
    heard = [0] * len(sentences)
    if hyp:
        for c in jiwer.process_words(" ".join(ref), " ".join(hyp)).alignments[0]:
            if c.type in ("equal", "substitute"):
                for k in range(c.ref_start_idx, c.ref_end_idx):
                    heard[owner[k]] += 1
    return [(s, heard[i] / owner.count(i)) for i, s in enumerate(sentences)]
