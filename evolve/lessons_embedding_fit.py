"""Fit the lesson embedding (`evolve.lessons_embedding`) on a local corpus, offline.

The corpus is cut into chunks of `chunk_lines` lines (a chunk is one document); the
vocabulary is the `max_vocabulary` tokens found in the most chunks (at least `min_chunks`);
`idf_j = log((1 + N) / (1 + df_j)) + 1`; the chunks' L2-normalized TF-IDF matrix is factored
by a truncated SVD (`scipy.sparse.linalg.svds`) and its `dims` right singular vectors are
the projection.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.linalg import svds

from evolve.lessons_embedding import TextEmbedding, tokens

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FitSettings:
    """Size of the model and of its documents."""

    dims: int = 64
    max_vocabulary: int = 20_000
    min_chunks: int = 5
    chunk_lines: int = 60
    max_chunks: int = 60_000
    seed: int = 0


def corpus_chunks(files: Iterable[Path], chunk_lines: int) -> Iterator[str]:
    """The files' texts cut into chunks of `chunk_lines` lines (unreadable files skipped)."""
    for path in files:
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            continue
        for start in range(0, len(lines), chunk_lines):
            chunk = "\n".join(lines[start : start + chunk_lines])
            if chunk.strip():
                yield chunk


def _vocabulary(documents: list[list[str]], settings: FitSettings) -> list[str]:
    frequency = Counter(word for document in documents for word in set(document))
    common = [w for w, df in frequency.most_common() if df >= settings.min_chunks]
    return sorted(common[: settings.max_vocabulary])


def fit_embedding(chunks: Iterable[str], settings: FitSettings = FitSettings()) -> TextEmbedding:
    """Fit TF-IDF + truncated SVD on `chunks` (see the module docstring)."""
    rng = np.random.default_rng(settings.seed)
    documents = [tokens(chunk) for chunk in chunks]
    if len(documents) > settings.max_chunks:
        keep = rng.choice(len(documents), settings.max_chunks, replace=False)
        documents = [documents[i] for i in sorted(keep)]
    vocabulary = _vocabulary(documents, settings)
    if len(vocabulary) <= settings.dims:
        raise ValueError(
            f"corpus too small: {len(vocabulary)} tokens in >= {settings.min_chunks} chunks, "
            f"need more than {settings.dims}"
        )
    index = {word: j for j, word in enumerate(vocabulary)}
    rows, cols, values = [], [], []
    df = np.zeros(len(vocabulary))
    for i, document in enumerate(documents):
        counts = Counter(index[w] for w in document if w in index)
        for j, count in counts.items():
            rows.append(i)
            cols.append(j)
            values.append(1.0 + np.log(count))
            df[j] += 1
    idf = np.log((1 + len(documents)) / (1 + df)) + 1.0
    matrix = csr_matrix((values, (rows, cols)), shape=(len(documents), len(vocabulary)))
    matrix = csr_matrix(matrix.multiply(idf[None, :]))
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1))).ravel()
    matrix = csr_matrix(matrix.multiply(1.0 / np.where(norms > 0, norms, 1.0)[:, None]))
    log.info("fitting SVD: %d chunks x %d tokens -> %d dims", *matrix.shape, settings.dims)
    v0 = rng.standard_normal(min(matrix.shape))
    _, singular, vt = svds(matrix, k=settings.dims, v0=v0, random_state=settings.seed)
    order = np.argsort(singular)[::-1]
    return TextEmbedding(tuple(vocabulary), idf.astype(np.float32), vt[order].T.copy())
