"""Features of a complex's sampled poses for the pose ranker (`docking.inference.pose_ranker`).

Every feature is relative to the other poses of the same complex, since the ranker only
orders one complex's poses (a listwise model): what generalizes from a few dozen
labelled complexes is how a pose differs from its siblings, not absolute energies.

- ``vina_delta``: Vina's score minus the complex's best (kcal/mol), and ``vina_rank``
  (0 for Vina's top pose, 1 for its last);
- ``vinardo_delta``: the same pose rescored by Vinardo (Quiroga & Villarreal 2016,
  another empirical function with other terms), minus the complex's best;
- ``gauss1``, ``gauss2``, ``repulsion``, ``hydrophobic``, ``hbond``: Vina's five
  intermolecular terms (Trott & Olson 2010) each summed over the pose with unit weight,
  per ligand heavy atom, minus the complex's mean, so a model can weigh them other than
  Vina's fixed weights do;
- ``consensus``: the share of the other poses within 2 Å (symmetric RMSD) of this one,
  the cluster population that rescues Vina's top-1 when poses agree (pose consensus,
  e.g. Houston & Walkinshaw 2013, J. Chem. Inf. Model. 53:384);
- ``rmsd_to_top``: symmetric RMSD (Å) to Vina's top pose.

Vina's terms are read by rescoring each pose on maps built with one term's weight set
to 1 and the others to 0 (the ``vina`` package's `Vina.set_weights`), in a box around
the poses (their heavy-atom extent plus `TERM_BOX_MARGIN_ANGSTROM` per side).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
from rdkit import Chem

from docking.errors import DockingError
from docking.poses.pose_rmsd import symmetric_rmsd
from science.vina.prepare import write_pdbqt

FEATURES = (
    "vina_delta",
    "vina_rank",
    "vinardo_delta",
    "gauss1",
    "gauss2",
    "repulsion",
    "hydrophobic",
    "hbond",
    "consensus",
    "rmsd_to_top",
)
VINA_TERMS = ("gauss1", "gauss2", "repulsion", "hydrophobic", "hbond")  # set_weights order
CONSENSUS_ANGSTROM = 2.0
TERM_BOX_MARGIN_ANGSTROM = 4.0
MAP_SPACING_ANGSTROM = 0.375


def pairwise_rmsd(mols: Sequence[Chem.Mol]) -> np.ndarray:
    """(n, n) symmetric heavy-atom RMSD (Å) between poses of one ligand, no alignment."""
    n = len(mols)
    distance = np.zeros((n, n))
    for i in range(n):
        for j in range(i + 1, n):
            distance[i, j] = distance[j, i] = symmetric_rmsd(mols[i], mols[j])
    return distance


def _box(mols: Sequence[Chem.Mol]) -> tuple[list[float], list[float]]:
    """Centre and edges (Å) of a box holding every pose's heavy atoms plus the margin."""
    xyz = np.concatenate(
        [Chem.RemoveHs(m, sanitize=False).GetConformer().GetPositions() for m in mols]
    )
    low, high = xyz.min(0) - TERM_BOX_MARGIN_ANGSTROM, xyz.max(0) + TERM_BOX_MARGIN_ANGSTROM
    return ((low + high) / 2).tolist(), (high - low).tolist()


def _rescore(
    ligands: list[str], receptor_pdbqt: Path, box, name: str, weights: list[float] | None
) -> np.ndarray:
    """Intermolecular energy of each ligand PDBQT under scoring function `name` (weights)."""
    from vina import Vina

    vina = Vina(sf_name=name, cpu=1, verbosity=0)
    vina.set_receptor(str(receptor_pdbqt))
    if weights is not None:
        vina.set_weights(weights)
    vina.set_ligand_from_string(ligands[0])
    vina.compute_vina_maps(center=box[0], box_size=box[1], spacing=MAP_SPACING_ANGSTROM)
    energies = []
    for text in ligands:
        vina.set_ligand_from_string(text)
        energies.append(float(vina.score()[1]))  # lig_inter
    return np.array(energies)


def scoring_terms(
    mols: Sequence[Chem.Mol], receptor_pdbqt: Path, terms: Sequence[str] = ("vinardo", *VINA_TERMS)
) -> np.ndarray:
    """(n, len(terms)): each pose's intermolecular energy under Vinardo (``vinardo``) or one
    of Vina's five terms with unit weight (`VINA_TERMS`), poses as Vina docked them."""
    try:
        ligands = [write_pdbqt(m) for m in mols]
        box = _box(mols)
        columns = []
        for term in terms:
            if term == "vinardo":
                columns.append(_rescore(ligands, receptor_pdbqt, box, "vinardo", None))
                continue
            weights = [0.0] * 7  # gauss1, gauss2, repulsion, hydrophobic, hbond, glue, rot
            weights[VINA_TERMS.index(term)] = 1.0
            columns.append(_rescore(ligands, receptor_pdbqt, box, "vina", weights))
    except (RuntimeError, TypeError, ValueError) as error:
        raise DockingError(f"rescoring poses failed: {' '.join(str(error).split())}") from error
    return np.stack(columns, axis=1)


def _relative(name: str, vina_scores: np.ndarray, terms: dict, distance, heavy_atoms: int):
    """One complex-relative feature column (n,)."""
    n = len(vina_scores)
    if name == "vina_delta":
        return vina_scores - vina_scores.min()
    if name == "vina_rank":
        return np.argsort(np.argsort(vina_scores, kind="stable"), kind="stable") / max(n - 1, 1)
    if name == "vinardo_delta":
        return terms["vinardo"] - terms["vinardo"].min()
    if name in VINA_TERMS:
        per_atom = terms[name] / max(heavy_atoms, 1)
        return per_atom - per_atom.mean()
    if name == "consensus":
        return ((distance < CONSENSUS_ANGSTROM).sum(1) - 1) / max(n - 1, 1)
    return distance[int(np.argmin(vina_scores))]  # rmsd_to_top


def pose_features(
    mols: Sequence[Chem.Mol],
    vina_scores: Sequence[float],
    receptor_pdbqt: Path,
    names: Sequence[str] = FEATURES,
) -> np.ndarray:
    """(n, len(names)) features of one complex's poses (same ligand, Vina's form);
    only the rescoring and pose-pose RMSDs that `names` need are computed."""
    if not mols:
        raise DockingError("no poses to featurize")
    unknown = set(names) - set(FEATURES)
    if unknown:
        raise DockingError(f"unknown pose features {sorted(unknown)}; known: {list(FEATURES)}")
    wanted = [t for t in ("vinardo", *VINA_TERMS) if t in names or f"{t}_delta" in names]
    terms = (
        dict(zip(wanted, scoring_terms(mols, receptor_pdbqt, wanted).T, strict=True))
        if wanted
        else {}
    )
    needs_rmsd = {"consensus", "rmsd_to_top"} & set(names)
    distance = pairwise_rmsd(mols) if needs_rmsd else None
    heavy = Chem.RemoveHs(mols[0], sanitize=False).GetNumAtoms()
    scores = np.asarray(vina_scores, dtype=float)
    return np.column_stack([_relative(f, scores, terms, distance, heavy) for f in names])
