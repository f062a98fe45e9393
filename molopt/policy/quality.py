"""Validity, uniqueness and novelty of sampled SMILES, as MOSES and GuacaMol define them.

validity = valid / sampled; uniqueness = distinct valid / valid; novelty = distinct valid
molecules absent from the training set / distinct valid (canonical SMILES compared).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from molopt.policy.sampling import canonical_or_none


def sample_quality(strings: Sequence[str], training: Collection[str]) -> dict[str, float]:
    """The three rates (and counts) of sampled strings against canonical training SMILES."""
    valid = [s for s in map(canonical_or_none, strings) if s is not None]
    unique = set(valid)
    known = training if isinstance(training, set) else set(training)
    novel = unique - known
    return {
        "sampled": len(strings),
        "valid": len(valid),
        "unique": len(unique),
        "novel": len(novel),
        "validity": len(valid) / len(strings) if strings else 0.0,
        "uniqueness": len(unique) / len(valid) if valid else 0.0,
        "novelty": len(novel) / len(unique) if unique else 0.0,
    }
