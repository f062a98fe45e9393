"""The prompt format: an instruction with its molecule spelled in atom tokens, then the answer.

A training sequence is ``<bos> prompt <sep> answer <eos>``, where the prompt is the
instruction's words with the source molecule replaced by its SMILES atom tokens, and the
answer is the edited molecule's SMILES atom tokens. Only the answer and ``<eos>`` are ever
trained on (SFT, GRPO and RePO alike); the prompt is context.
"""

from __future__ import annotations

from molopt.molecules import parse_or_none
from molopt.repo.tokenizer import BOS, SEP, Tokenizer, smiles_tokens, word_tokens

TRAILING = ".,;:!?"


def prompt_tokens(instruction: str, source: str) -> list[str]:
    """``<bos>`` + the instruction's tokens (the `source` SMILES in atom tokens) + ``<sep>``."""
    out = [BOS]
    for chunk in instruction.split():
        core = chunk.rstrip(TRAILING)
        if core == source:
            out.extend(smiles_tokens(core))
            out.extend(word_tokens(chunk[len(core) :]))
        else:
            out.extend(word_tokens(chunk))
    out.append(SEP)
    return out


def find_source(instruction: str) -> str | None:
    """The molecule an instruction talks about: its longest chunk that spells SMILES.

    OpenMolIns rows give the instruction and the answer only; the source molecule is the
    SMILES inside the instruction. A chunk counts when it has a character no English word
    has (digits, brackets, bonds) and RDKit parses it.
    """
    candidates = [c.rstrip(TRAILING) for c in instruction.split()]
    candidates = [c for c in candidates if any(ch in c for ch in "0123456789()[]=#@/\\")]
    for chunk in sorted(candidates, key=len, reverse=True):
        if "".join(smiles_tokens(chunk)) == chunk and parse_or_none(chunk) is not None:
            return chunk
    return None


def encode_prompt(tokenizer: Tokenizer, instruction: str, source: str) -> list[int]:
    """Ids of ``<bos> prompt <sep>`` for `instruction` about `source`."""
    return tokenizer.encode(prompt_tokens(instruction, source))


def encode_answer(tokenizer: Tokenizer, smiles: str) -> list[int]:
    """Ids of the answer `smiles` followed by ``<eos>``."""
    return tokenizer.encode(smiles_tokens(smiles)) + [tokenizer.eos_id]
