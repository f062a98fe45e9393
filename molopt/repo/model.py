"""The policy: a small GPT-2 causal LM (Radford et al. 2019) built from a config, never downloaded.

`transformers.GPT2LMHeadModel` from a `GPT2Config` sized by `ModelConfig`; checkpoints hold
the weights, the model and tokenizer configuration, the optimizer and the step count, so a
run resumes where it stopped and evaluation needs nothing but the file.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

from transformers import GPT2LMHeadModel

from molopt.policy.model import ModelSize
from molopt.policy.model import build_model as build_gpt2
from molopt.repo.errors import RepoCheckpointError
from molopt.repo.tokenizer import Tokenizer
from science.training.checkpoint import read_state, write_state

CHECKPOINT_FORMAT = "discovery-repo/1"


@dataclass
class ModelConfig:
    """Size of the GPT-2 policy (layers, heads, width, longest sequence)."""

    n_layer: int = 2
    n_head: int = 4
    n_embd: int = 128
    n_positions: int = 256
    dropout: float = 0.0


def build_model(config: ModelConfig, tokenizer: Tokenizer) -> GPT2LMHeadModel:
    """A randomly initialised GPT-2 with `tokenizer`'s vocabulary (the SMILES policy's
    builder, sized by this config)."""
    size = ModelSize(
        layers=config.n_layer,
        width=config.n_embd,
        heads=config.n_head,
        max_tokens=config.n_positions,
        dropout=config.dropout,
    )
    return build_gpt2(tokenizer, size)


def save_checkpoint(path: Path, model: GPT2LMHeadModel, tokenizer: Tokenizer, **extra) -> None:
    """Write weights, model config, tokenizer and `extra` (step, optimizer, history) atomically."""
    state = {
        "format": CHECKPOINT_FORMAT,
        "model_config": extra.pop("model_config"),
        "tokenizer": tokenizer.state_dict(),
        "state_dict": model.state_dict(),
        **extra,
    }
    write_state(path, state)


def read_checkpoint(path: Path) -> dict:
    """The raw checkpoint dictionary, checked for our format."""
    return read_state(path, RepoCheckpointError, CHECKPOINT_FORMAT)


def load_policy(path: Path, device: str = "cpu") -> tuple[GPT2LMHeadModel, Tokenizer, dict]:
    """Model (on `device`, eval mode), tokenizer and raw state of a checkpoint."""
    state = read_checkpoint(path)
    tokenizer = Tokenizer.from_state_dict(state["tokenizer"])
    model = build_model(ModelConfig(**state["model_config"]), tokenizer)
    model.load_state_dict(state["state_dict"])
    return model.to(device).eval(), tokenizer, state


def model_config_dict(config: ModelConfig) -> dict:
    """`config` as a plain dict for the checkpoint."""
    return asdict(config)
