"""An offline text and code embedding for lessons: TF-IDF over code/text tokens, projected
by a truncated SVD (latent semantic analysis, Deerwester et al., 1990).

No PyPI package we could find ships a text-embedding model whose weights *and* tokenizer
load without a download (see docs/lessons.md), so the platform ships its own small one,
fitted by `evolve.lessons_embedding_fit` on Python sources and Markdown docs that were on
the build machine (model card: `evolve/models/lesson_embedding.md`). Embedding a text:

.. math:: e(t) = \\frac{V^\\top w(t)}{\\|V^\\top w(t)\\|},\\quad
          w_j(t) = (1 + \\log \\mathrm{tf}_j(t))\\, \\mathrm{idf}_j \\,/\\, \\|\\cdot\\|

with `V` (vocabulary x dims) the SVD's right singular vectors. Tokens are identifiers and
words, lowercased, plus their snake_case and camelCase parts. Only numpy is needed at run
time; nothing is downloaded.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np

from evolve.errors import EvolveError

MODEL_PATH = Path(__file__).resolve().parent / "models" / "lesson_embedding.npz"
WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")


def tokens(text: str) -> list[str]:
    """Lowercased words and identifiers of `text`, each followed by its snake/camel parts."""
    found = []
    for word in WORD.findall(text):
        lower = word.lower()
        found.append(lower)
        parts = [p.lower() for piece in word.split("_") for p in CAMEL.findall(piece)]
        if len(parts) > 1:
            found.extend(parts)
    return found


@dataclass(frozen=True, eq=False)
class TextEmbedding:
    """A fitted TF-IDF + SVD embedding: `vocabulary[j]` has weight `idf[j]` and row
    `components[j]` (vocabulary x dims)."""

    vocabulary: tuple[str, ...]
    idf: np.ndarray  # (V,)
    components: np.ndarray  # (V, D)
    index: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "index", {word: j for j, word in enumerate(self.vocabulary)})

    @property
    def dims(self) -> int:
        """Length of an embedding."""
        return int(self.components.shape[1])

    def weights(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """The text's L2-normalized TF-IDF weights, sparse: (vocabulary indices, values)."""
        counts = Counter(self.index[t] for t in tokens(text) if t in self.index)
        indices = np.fromiter(counts, dtype=np.int64, count=len(counts))
        values = np.array([1.0 + np.log(counts[j]) for j in indices], dtype=np.float32)
        values = values * self.idf[indices]
        norm = float(np.linalg.norm(values))
        return indices, values / norm if norm > 0 else values

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-length embeddings of `texts` (N, D); a text with no known token maps to 0.

        The projection sums the rows of the text's few tokens (no dense BLAS product, which
        on a loaded machine costs more in thread start-up than the arithmetic)."""
        embedded = np.zeros((len(texts), self.dims), dtype=np.float32)
        for row, text in enumerate(texts):
            indices, values = self.weights(text)
            projected = (self.components[indices] * values[:, None]).sum(axis=0)  # (D,)
            norm = float(np.linalg.norm(projected))
            embedded[row] = projected / norm if norm > 0 else projected
        return embedded

    def save(self, path: Path) -> None:
        """Write the model as one compressed .npz (components in float16)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(
            path,
            vocabulary=np.array(self.vocabulary),
            idf=self.idf.astype(np.float32),
            components=self.components.astype(np.float16),
        )

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> TextEmbedding:
        """Read a model written by `save`."""
        if not path.is_file():
            raise EvolveError(
                f"lesson embedding model {path} is missing: reinstall discovery, or fit one "
                "with `python bench/fit_lesson_embedding.py`"
            )
        with np.load(path, allow_pickle=False) as data:
            return cls(
                vocabulary=tuple(str(w) for w in data["vocabulary"]),
                idf=data["idf"].astype(np.float32),
                components=data["components"].astype(np.float32),
            )


@cache
def shipped_embedding() -> TextEmbedding:
    """The model shipped with the platform, loaded once per process."""
    return TextEmbedding.load(MODEL_PATH)
