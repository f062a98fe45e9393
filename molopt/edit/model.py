"""The edit policy: a small network scoring each enumerated edit of a source for a task.

    e_i = W_diff · Δfp_i + E_op[op_i] + E_add[added_i] + E_rem[removed_i]
    s   = W_src · log(1 + fp_source),    t = MLP_task(task)
    score_i = MLP_head([e_i, e_i ⊙ t, s ⊙ t, t])
    π(i | source, task) = softmax_i(score_i)  over the source's edits

Δfp_i is the signed Morgan count difference product − source (`molopt.edit.features`); the
sparse products W · fp are `EmbeddingBag` sums. The answer is argmax_i π (single shot).

Shapes: a batch of B (source, task) pairs with n edits in all -> scores (n,), and
`padded_log_probs` -> (B, max edits per pair) with -inf padding.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
from torch import Tensor, nn

from molopt.edit.errors import EditCheckpointError
from molopt.edit.features import FP_BITS, OPERATORS, TASK_SIZE, EditFeatures
from molopt.edit.groups import GROUPS
from science.training.checkpoint import read_state, write_state


@dataclass(frozen=True)
class ScorerSize:
    """Width of the edit scorer."""

    hidden: int = 128


@dataclass
class EditBatch:
    """B (source, task) pairs as tensors: edits concatenated, `segment` / `position` say
    which pair each edit belongs to and where in it."""

    diff_index: Tensor
    diff_value: Tensor
    diff_offset: Tensor
    source_index: Tensor
    source_value: Tensor
    source_offset: Tensor
    operator: Tensor
    added: Tensor
    removed: Tensor
    segment: Tensor
    position: Tensor
    task: Tensor
    sizes: Tensor


def collate(items: Sequence[tuple[EditFeatures, np.ndarray]]) -> EditBatch:
    """One `EditBatch` of (features, task vector) pairs."""
    diff_index, diff_value, diff_offset, source_index, source_value, source_offset = (
        [],
        [],
        [],
        [],
        [],
        [],
    )
    start_edit = start_source = 0
    for features, _ in items:
        diff_index.append(features.diff_index)
        diff_value.append(features.diff_value)
        diff_offset.append(features.diff_offset[:-1] + start_edit)
        start_edit += int(features.diff_offset[-1])
        source_index.append(features.source_index)
        source_value.append(np.log1p(features.source_value))
        source_offset.append(start_source)
        start_source += len(features.source_index)
    sizes = [len(f) for f, _ in items]

    def cat(parts: list[np.ndarray]) -> Tensor:
        return torch.from_numpy(np.concatenate(parts))

    return EditBatch(
        diff_index=cat(diff_index),
        diff_value=cat(diff_value),
        diff_offset=cat(diff_offset),
        source_index=cat(source_index),
        source_value=cat(source_value).float(),
        source_offset=torch.tensor(source_offset),
        operator=cat([f.operator for f, _ in items]),
        added=cat([f.added for f, _ in items]),
        removed=cat([f.removed for f, _ in items]),
        segment=torch.repeat_interleave(torch.arange(len(items)), torch.tensor(sizes)),
        position=cat([np.arange(n) for n in sizes]),
        task=torch.from_numpy(np.stack([t for _, t in items])),
        sizes=torch.tensor(sizes),
    )


class EditScorer(nn.Module):
    """Scores every edit of a batch of (source, task) pairs (see module)."""

    def __init__(self, size: ScorerSize = ScorerSize()) -> None:
        super().__init__()
        self.size = size
        hidden = size.hidden
        self.diff = nn.EmbeddingBag(FP_BITS, hidden, mode="sum")
        self.source = nn.EmbeddingBag(FP_BITS, hidden, mode="sum")
        self.operator = nn.Embedding(len(OPERATORS), hidden)
        self.added = nn.Embedding(len(GROUPS) + 1, hidden)
        self.removed = nn.Embedding(len(GROUPS) + 1, hidden)
        self.task = nn.Sequential(
            nn.Linear(TASK_SIZE, hidden), nn.ReLU(), nn.Linear(hidden, hidden)
        )
        self.head = nn.Sequential(
            nn.Linear(4 * hidden, hidden),
            nn.ReLU(),
            nn.Linear(hidden, hidden),
            nn.ReLU(),
            nn.Linear(hidden, 1),
        )
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Small embedding weights (sums of tens of fingerprint bits stay of order one)."""
        for bag in (self.diff, self.source):
            nn.init.normal_(bag.weight, std=0.05)
        for table in (self.operator, self.added, self.removed):
            nn.init.normal_(table.weight, std=0.05)

    def forward(self, batch: EditBatch) -> Tensor:
        """Scores (n,) of the batch's n edits."""
        e = self.diff(batch.diff_index, batch.diff_offset, per_sample_weights=batch.diff_value)
        e = e + self.operator(batch.operator) + self.added(batch.added)
        e = e + self.removed(batch.removed)  # (n, H)
        t = self.task(batch.task)[batch.segment]  # (n, H)
        s = self.source(
            batch.source_index, batch.source_offset, per_sample_weights=batch.source_value
        )[batch.segment]  # (n, H)
        return self.head(torch.cat([e, e * t, s * t, t], dim=-1)).squeeze(-1)  # (n,)


def padded_log_probs(scores: Tensor, batch: EditBatch) -> Tensor:
    """log π over each pair's edits, (B, max n) with -inf where a pair has fewer edits."""
    out = scores.new_full((len(batch.sizes), int(batch.sizes.max())), float("-inf"))
    out[batch.segment, batch.position] = scores
    return torch.log_softmax(out, dim=-1)


def save_scorer(model: EditScorer, path: Path, extra: dict | None = None) -> None:
    """Weights, size and `extra` (variant, step, ...) in one file, written atomically."""
    write_state(path, {"size": asdict(model.size), "weights": model.state_dict(), **(extra or {})})


def load_scorer(path: Path) -> tuple[EditScorer, dict]:
    """The scorer saved at `path` (eval mode) and everything saved beside it."""
    if not Path(path).is_file():
        raise EditCheckpointError(f"{path}: no edit-policy checkpoint there")
    try:
        state = read_state(path, EditCheckpointError)
        model = EditScorer(ScorerSize(**state["size"]))
        model.load_state_dict(state["weights"])
    except (KeyError, RuntimeError, TypeError) as error:
        raise EditCheckpointError(f"{path}: not an edit-policy checkpoint ({error})") from error
    return model.eval(), state
