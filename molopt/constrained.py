"""Similarity-constrained molecule improvement, the evaluator of one hgraph2graph test molecule.

The constrained benchmarks of JT-VAE (Jin, Barzilay & Jaakkola, ICML 2018) and the
graph-translation papers (VJTNN, ICLR 2019; HierG2G, ICML 2020) ask for a better version of a
given source molecule: a candidate counts only when its Tanimoto similarity to the source
(Morgan radius 2, 2048 bits) is at least δ. Used as ``evaluator:
molopt.constrained:evaluate`` with ``params: {source: <SMILES>, target: plogp | qed,
threshold: δ}``, a candidate below δ (or unparsable) is invalid, so a search engine such as
the graph GA only keeps molecules that satisfy the constraint.

- ``target: plogp``: score = penalized logP (`molopt.penalized_logp`) of the candidate
  minus that of the source, the improvement the logp04 / logp06 benchmarks average;
- ``target: qed``: score = QED of the candidate; the benchmark's success is score >= 0.9.
"""

from __future__ import annotations

from typing import Any

from rdkit.Chem import Descriptors

from molopt.errors import InvalidMoleculeError
from molopt.fingerprints import molecule_similarity
from molopt.molecules import parse_or_none
from molopt.penalized_logp import penalized_logp

TARGETS = ("plogp", "qed")


def evaluate(
    candidate: str, source: str, target: str = "plogp", threshold: float = 0.4
) -> dict[str, Any]:
    """Score `candidate` as an improvement of `source` under similarity >= `threshold`."""
    if target not in TARGETS:
        raise ValueError(f"target '{target}' unknown; choose one of {TARGETS}")
    start = parse_or_none(source)
    if start is None:
        raise InvalidMoleculeError(f"source '{source}' does not parse; give a valid SMILES")
    mol = parse_or_none(candidate)
    if mol is None or not mol.GetNumAtoms():
        return {"score": 0.0, "valid": False, "feedback": "invalid molecule: RDKit cannot parse it"}
    sim = molecule_similarity(start, mol)
    if target == "plogp":
        score = penalized_logp(mol) - penalized_logp(start)
        text = f"penalized logP {score:+.3f} vs the source"
    else:
        score = Descriptors.qed(mol)
        text = f"QED {score:.3f}"
    if sim < threshold:
        return {
            "score": score,
            "similarity": sim,
            "valid": False,
            "feedback": f"{text}, but similarity {sim:.3f} < {threshold}: too far from the source",
        }
    return {"score": score, "similarity": sim, "feedback": f"{text}, similarity {sim:.3f}"}
