"""Tokenizer for instruction + SMILES sequences: word tokens for English, atom tokens for SMILES.

English words of an instruction become lower-case word tokens (stored as ``w:word`` so they
never share an id with a SMILES token such as ``c`` or ``n``); SMILES strings become atom-level
tokens by the regular expression of Schwaller et al. 2019 (*Molecular Transformer*): bracket
atoms, two-letter halogens, ring-closure digits and ``%nn``, bonds and branches. The
vocabulary is built from training text and saved with the model; unknown pieces map to
``<unk>``. The SMILES regular expression is `molopt.policy.tokenizer`'s; the word part and
the joint vocabulary are this module's.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from molopt.policy.tokenizer import SMILES_REGEX

WORD_PATTERN = re.compile(r"[a-z0-9]+|[^a-z0-9\s]")
PAD, BOS, SEP, EOS, UNK = "<pad>", "<bos>", "<sep>", "<eos>", "<unk>"
SPECIALS = (PAD, BOS, SEP, EOS, UNK)
WORD_PREFIX = "w:"


def smiles_tokens(smiles: str) -> list[str]:
    """Atom-level tokens of `smiles`; their concatenation is `smiles` when it is tokenizable."""
    return SMILES_REGEX.findall(smiles)


def word_tokens(text: str) -> list[str]:
    """Lower-case word and punctuation tokens of English `text`, prefixed ``w:``."""
    return [WORD_PREFIX + piece for piece in WORD_PATTERN.findall(text.lower())]


class Tokenizer:
    """A fixed vocabulary of special, word and SMILES tokens, with encode and decode."""

    def __init__(self, tokens: Sequence[str]) -> None:
        self.tokens = list(SPECIALS) + [t for t in tokens if t not in SPECIALS]
        self.ids = {token: i for i, token in enumerate(self.tokens)}
        self.pad_id, self.bos_id, self.sep_id, self.eos_id, self.unk_id = (
            self.ids[t] for t in SPECIALS
        )

    @classmethod
    def build(cls, pieces: Iterable[Sequence[str]]) -> Tokenizer:
        """A tokenizer whose vocabulary is every token in `pieces`, in first-seen order."""
        seen: dict[str, None] = {}
        for sequence in pieces:
            seen.update(dict.fromkeys(sequence))
        return cls(list(seen))

    def __len__(self) -> int:
        return len(self.tokens)

    def encode(self, tokens: Sequence[str]) -> list[int]:
        """Ids of `tokens`, unknown ones as ``<unk>``."""
        return [self.ids.get(token, self.unk_id) for token in tokens]

    def decode_smiles(self, ids: Iterable[int]) -> str:
        """The SMILES spelled by `ids`, stopping at ``<eos>``; other specials and words dropped."""
        out = []
        for i in ids:
            if i == self.eos_id:
                break
            token = self.tokens[i] if 0 <= i < len(self.tokens) else UNK
            if token not in SPECIALS and not token.startswith(WORD_PREFIX):
                out.append(token)
        return "".join(out)

    def state_dict(self) -> dict:
        """JSON-ready state (the token list) for checkpoints."""
        return {"tokens": self.tokens}

    @classmethod
    def from_state_dict(cls, state: dict) -> Tokenizer:
        """The tokenizer saved by `state_dict`."""
        return cls(state["tokens"])
