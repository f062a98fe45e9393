"""The SMILES policy network: a GPT-2 causal language model (Radford et al. 2019) built from a
`transformers.GPT2Config` (nothing downloaded), and its checkpoint folder.

A checkpoint folder holds ``config.json`` (the GPT2Config), ``model.safetensors`` (weights,
tied embedding stored once) and ``vocab.json`` (the `SmilesTokenizer`). The shipped one,
`molopt/checkpoints/smiles_gpt/`, is described by its MODEL_CARD.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import torch
from safetensors.torch import load_model, save_model
from transformers import GPT2Config, GPT2LMHeadModel

from molopt.policy.errors import CheckpointError
from molopt.policy.tokenizer import SmilesTokenizer

SHIPPED_CHECKPOINT = Path(__file__).resolve().parent.parent / "checkpoints" / "smiles_gpt"
FILES = ("config.json", "model.safetensors", "vocab.json")


class Vocabulary(Protocol):
    """What `build_model` needs of a tokenizer: its size and special token ids."""

    bos_id: int
    eos_id: int
    pad_id: int

    def __len__(self) -> int: ...


@dataclass(frozen=True)
class ModelSize:
    """Shape of the network (the `model:` mapping of a pretraining config)."""

    layers: int = 4
    width: int = 256
    heads: int = 8
    max_tokens: int = 128
    dropout: float = 0.1


def build_model(tokenizer: Vocabulary, size: ModelSize) -> GPT2LMHeadModel:
    """A freshly initialized GPT-2 over the tokenizer's vocabulary."""
    config = GPT2Config(
        vocab_size=len(tokenizer),
        n_positions=size.max_tokens,
        n_embd=size.width,
        n_layer=size.layers,
        n_head=size.heads,
        resid_pdrop=size.dropout,
        embd_pdrop=size.dropout,
        attn_pdrop=size.dropout,
        bos_token_id=tokenizer.bos_id,
        eos_token_id=tokenizer.eos_id,
        pad_token_id=tokenizer.pad_id,
    )
    return GPT2LMHeadModel(config)


def save_checkpoint(model: GPT2LMHeadModel, tokenizer: SmilesTokenizer, folder: Path) -> None:
    """Write config, safetensors weights and vocabulary into `folder`."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    model.config.to_json_file(folder / "config.json")
    save_model(model, str(folder / "model.safetensors"))
    tokenizer.save(folder / "vocab.json")


def load_checkpoint(
    folder: Path | None = None, device: str = "cpu"
) -> tuple[GPT2LMHeadModel, SmilesTokenizer]:
    """The model (in eval mode, on `device`) and tokenizer of a checkpoint folder."""
    folder = Path(folder) if folder else SHIPPED_CHECKPOINT
    missing = [name for name in FILES if not (folder / name).is_file()]
    if missing:
        raise CheckpointError(
            f"policy checkpoint {folder} lacks {', '.join(missing)}: give the folder that "
            "`discover molopt pretrain` wrote, or leave `checkpoint` unset for the shipped one"
        )
    tokenizer = SmilesTokenizer.load(folder / "vocab.json")
    config = GPT2Config.from_json_file(folder / "config.json")
    if config.vocab_size != len(tokenizer):
        raise CheckpointError(
            f"{folder}: config.json has {config.vocab_size} tokens, vocab.json {len(tokenizer)}"
        )
    model = GPT2LMHeadModel(config)
    load_model(model, str(folder / "model.safetensors"), device="cpu")
    return model.to(torch.device(device)).eval(), tokenizer
