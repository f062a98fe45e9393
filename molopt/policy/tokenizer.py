"""Atom-level SMILES tokenizer with the regular expression of Schwaller et al. 2019
("Molecular Transformer", ACS Cent. Sci. 5, 1572): one token per bracket atom (``[nH]``,
``[C@@H]``), two-letter halogen (``Cl``, ``Br``), organic-subset atom, bond, branch, ring
closure digit or two-digit ``%NN`` ring closure.

`SmilesTokenizer` maps tokens to ids with four special tokens (pad, bos, eos, unk) first;
its vocabulary is built from the training SMILES and saved as JSON beside the checkpoint.
Encoding then decoding gives back the exact string whenever every token is in the vocabulary.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

from molopt.policy.errors import TokenizerError

SMILES_REGEX = re.compile(
    r"(\[[^\]]+]|Br?|Cl?|N|O|S|P|F|I|b|c|n|o|s|p|\(|\)|\.|=|#|-|\+|\\|\/|:|~|@|\?|>|\*|\$|\%[0-9]{2}|[0-9])"
)
PAD, BOS, EOS, UNK = "<pad>", "<bos>", "<eos>", "<unk>"
SPECIALS = (PAD, BOS, EOS, UNK)


def tokenize(smiles: str) -> list[str]:
    """Split a SMILES string into atom-level tokens; `TokenizerError` if characters are left."""
    tokens = SMILES_REGEX.findall(smiles)
    if "".join(tokens) != smiles:
        raise TokenizerError(
            f"SMILES '{smiles[:80]}' holds characters outside the SMILES grammar "
            "(whitespace, letters that are no element): clean it before tokenizing"
        )
    return tokens


class SmilesTokenizer:
    """Token <-> id mapping of an atom-level SMILES vocabulary (special tokens first)."""

    def __init__(self, tokens: Sequence[str]) -> None:
        body = [t for t in tokens if t not in SPECIALS]
        self.tokens = [*SPECIALS, *body]
        self.ids = {token: i for i, token in enumerate(self.tokens)}
        self.pad_id, self.bos_id, self.eos_id, self.unk_id = (self.ids[t] for t in SPECIALS)

    @classmethod
    def build(cls, smiles: Iterable[str], min_count: int = 1) -> SmilesTokenizer:
        """A vocabulary of the tokens seen at least `min_count` times, most frequent first."""
        counts = Counter(token for s in smiles for token in tokenize(s))
        return cls(
            [t for t, c in sorted(counts.items(), key=lambda x: (-x[1], x[0])) if c >= min_count]
        )

    def __len__(self) -> int:
        return len(self.tokens)

    def encode(self, smiles: str) -> list[int]:
        """Ids of ``<bos> tokens <eos>``; tokens outside the vocabulary become ``<unk>``."""
        body = [self.ids.get(token, self.unk_id) for token in tokenize(smiles)]
        return [self.bos_id, *body, self.eos_id]

    def decode(self, ids: Iterable[int]) -> str:
        """The SMILES text of ids up to the first ``<eos>`` (special tokens dropped)."""
        text = []
        for i in ids:
            if i == self.eos_id:
                break
            if i not in (self.pad_id, self.bos_id, self.unk_id):
                text.append(self.tokens[i])
        return "".join(text)

    def save(self, path: Path) -> None:
        """Write the vocabulary as a JSON list of tokens."""
        Path(path).write_text(json.dumps(self.tokens, indent=0) + "\n")

    @classmethod
    def load(cls, path: Path) -> SmilesTokenizer:
        """Read a vocabulary written by `save`."""
        tokens = json.loads(Path(path).read_text())
        if tokens[: len(SPECIALS)] != list(SPECIALS):
            raise TokenizerError(f"{path} is not a SMILES vocabulary (special tokens missing)")
        return cls(tokens)
