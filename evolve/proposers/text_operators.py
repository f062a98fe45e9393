"""Variation operators on free text (offline, no model): word edits and one-point crossover.

Mutation applies a few word-level edits inside random lines (delete, duplicate, swap with the
next word, replace by a word drawn from the text and its donors), so a multi-line text keeps
its line structure. Crossover is the one-point crossover of genetic algorithms (Holland,
1975) over lines when both texts have several, over words otherwise, with the cut at the
same relative position in both parents. Randomness comes only from the generator passed in.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

WORD_EDITS = ("delete", "duplicate", "swap", "replace")


def _edit_words(
    words: list[str], edit: str, rng: np.random.Generator, vocabulary: list[str]
) -> None:
    index = int(rng.integers(len(words)))
    if edit == "delete" and len(words) > 1:
        del words[index]
    elif edit == "duplicate":
        words.insert(index, words[index])
    elif edit == "swap" and len(words) > 1:
        index = min(index, len(words) - 2)
        words[index], words[index + 1] = words[index + 1], words[index]
    else:
        words[index] = vocabulary[int(rng.integers(len(vocabulary)))]


def mutate_text(
    text: str, rng: np.random.Generator, max_edits: int = 3, vocabulary: Sequence[str] = ()
) -> str | None:
    """`text` after 1..`max_edits` word edits; None when it has no words or did not change."""
    lines = text.split("\n")
    filled = [i for i, line in enumerate(lines) if line.split()]
    if not filled:
        return None
    words_pool = [w for line in lines for w in line.split()] + list(vocabulary)
    for _ in range(1 + int(rng.integers(max(1, max_edits)))):
        row = filled[int(rng.integers(len(filled)))]
        words = lines[row].split()
        _edit_words(words, WORD_EDITS[int(rng.integers(len(WORD_EDITS)))], rng, words_pool)
        lines[row] = " ".join(words)
    child = "\n".join(lines)
    return child if child != text else None


def _units(text: str, by_line: bool) -> list[str]:
    return text.split("\n") if by_line else text.split()


def crossover_text(first: str, second: str, rng: np.random.Generator) -> str | None:
    """Head of `first` + tail of `second`, cut at the same relative place; None if it equals
    a parent or a parent is too short to cut."""
    by_line = "\n" in first.strip() and "\n" in second.strip()
    a, b = _units(first, by_line), _units(second, by_line)
    if len(a) < 2 or len(b) < 2:
        return None
    cut = int(rng.integers(1, len(a)))
    tail_start = min(max(1, round(cut * len(b) / len(a))), len(b) - 1)
    child = ("\n" if by_line else " ").join(a[:cut] + b[tail_start:])
    return child if child not in (first, second) else None
