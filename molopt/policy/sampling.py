"""Drawing SMILES from a policy, token by token (ancestral sampling with a key-value cache).

Randomness comes only from the `torch.Generator` given, so the same generator state gives the
same strings on the same device. Strings are returned as decoded; whether they are valid
molecules is for the caller (`canonical_or_none`) to check.
"""

from __future__ import annotations

import torch
from rdkit import Chem, RDLogger
from transformers import GPT2LMHeadModel

from molopt.policy.tokenizer import SmilesTokenizer

RDLogger.DisableLog("rdApp.*")  # sampled strings are often invalid; that is counted, not logged


def canonical_or_none(smiles: str) -> str | None:
    """RDKit's canonical SMILES of a one-fragment molecule, or None if it is not one."""
    mol = Chem.MolFromSmiles(smiles) if smiles else None
    if mol is None or mol.GetNumAtoms() == 0 or len(Chem.GetMolFrags(mol)) != 1:
        return None
    return Chem.MolToSmiles(mol)


@torch.no_grad()
def sample_ids(
    model: GPT2LMHeadModel,
    tokenizer: SmilesTokenizer,
    n: int,
    generator: torch.Generator,
    temperature: float = 1.0,
    prefix: list[int] | None = None,
) -> list[list[int]]:
    """`n` id rows continuing `prefix` (default ``<bos>``) until ``<eos>`` or the model's
    context length; each row holds only the sampled ids (``<eos>`` included when reached)."""
    device = next(model.parameters()).device
    start = prefix or [tokenizer.bos_id]
    tokens = torch.tensor([start] * n, dtype=torch.long, device=device)
    done = torch.zeros(n, dtype=torch.bool, device=device)
    cache, step_input = None, tokens
    for _ in range(model.config.n_positions - len(start)):
        mask = torch.ones_like(tokens)  # no padding inside a sampled prefix
        out = model(input_ids=step_input, cache=cache, use_cache=True, attention_mask=mask)
        cache = out.cache
        probs = torch.softmax(out.logits[:, -1].float() / temperature, dim=-1)  # [n, vocab]
        step_input = torch.multinomial(probs.cpu(), 1, generator=generator).to(device)
        step_input[done] = tokenizer.pad_id
        tokens = torch.cat([tokens, step_input], dim=1)
        done |= step_input[:, 0] == tokenizer.eos_id
        if bool(done.all()):
            break
    rows = tokens[:, len(start) :].tolist()
    return [
        row[: row.index(tokenizer.eos_id) + 1] if tokenizer.eos_id in row else row for row in rows
    ]


def sample_batch(
    model: GPT2LMHeadModel,
    tokenizer: SmilesTokenizer,
    n: int,
    generator: torch.Generator,
    temperature: float = 1.0,
) -> list[str]:
    """`n` strings sampled from ``<bos>`` until ``<eos>`` or the model's context length."""
    return [
        tokenizer.decode(row) for row in sample_ids(model, tokenizer, n, generator, temperature)
    ]


def sample(
    model: GPT2LMHeadModel,
    tokenizer: SmilesTokenizer,
    n: int,
    generator: torch.Generator,
    temperature: float = 1.0,
    batch_size: int = 256,
) -> list[str]:
    """`n` sampled strings, drawn in batches of at most `batch_size`."""
    strings: list[str] = []
    while len(strings) < n:
        size = min(batch_size, n - len(strings))
        strings.extend(sample_batch(model, tokenizer, size, generator, temperature))
    return strings
