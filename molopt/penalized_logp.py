"""Penalized logP, the objective of the constrained-optimization benchmark (Jin et al. 2018).

    plogP(m) = logP(m) - SA(m) - cycle(m),   cycle(m) = max(0, largest ring size - 6)

with Crippen logP, the Ertl-Schuffenhauer SA score and the largest ring of RDKit's ring
perception. JT-VAE, GCPN and hgraph2graph (``props.py``) score each of the three terms
standardized by its ZINC-250k mean and standard deviation (`ZINC_STATS`);
``normalized=True`` gives that form, which the published improvements are measured in.
"""

from __future__ import annotations

from rdkit import Chem

from molopt.oracles import logp, sa_score

# (mean, std) over ZINC-250k of logP, -SA and -cycle, as in JT-VAE / hgraph2graph props.py.
ZINC_STATS = {
    "logp": (2.4570953396190123, 1.434324401111988),
    "sa": (-3.0525811293166134, 0.8335207024513095),
    "cycle": (-0.0485696876403053, 0.2860212110245455),
}


def cycle_penalty(mol: Chem.Mol) -> int:
    """max(0, size of the largest ring - 6): rings larger than six atoms are penalized."""
    rings = mol.GetRingInfo().AtomRings()
    return max(0, max((len(r) for r in rings), default=0) - 6)


def penalized_logp(mol: Chem.Mol, normalized: bool = True) -> float:
    """Penalized logP of `mol` (see module); `normalized` standardizes each term on ZINC-250k."""
    terms = {"logp": logp(mol), "sa": -sa_score(mol), "cycle": -float(cycle_penalty(mol))}
    if not normalized:
        return sum(terms.values())
    return sum((value - ZINC_STATS[k][0]) / ZINC_STATS[k][1] for k, value in terms.items())
