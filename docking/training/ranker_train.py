"""Train the pose ranker from labelled-pose folders: featurize their Vina jobs (cached),
choose the feature set and λ by leave-complexes-out cross-validation, fit on every list,
write the ranker JSON.

The candidate feature sets are named groups of `docking.inference.pose_features.FEATURES`
(`FEATURE_SETS`); the choice and every cross-validated figure go into the ranker's
``fit`` record, which its model card quotes.
"""

from __future__ import annotations

import logging
from dataclasses import asdict
from pathlib import Path

from docking.inference.pose_features import FEATURES
from docking.inference.pose_ranker import save_ranker
from docking.training.ranker_data import pose_lists
from docking.training.ranker_fit import choose, fit_ranker

log = logging.getLogger(__name__)

FEATURE_SETS = {
    "vina": ("vina_delta", "vina_rank"),
    "vina+consensus": ("vina_delta", "vina_rank", "consensus", "rmsd_to_top"),
    "vina+vinardo": ("vina_delta", "vina_rank", "vinardo_delta"),
    "vina+terms": ("vina_delta", "gauss1", "gauss2", "repulsion", "hydrophobic", "hbond"),
    "all": FEATURES,
}


def train_ranker(
    folders: list[Path], cache: Path, out: Path, folds: int = 5, featurize: bool = True
) -> dict:
    """Fit and save the ranker to `out`; the fit record (data, choice, CV table)."""
    lists = pose_lists(folders, cache, featurize=featurize)
    if not lists:
        raise ValueError(f"no featurized Vina job in {[str(f) for f in folders]}")
    best, results = choose(lists, FEATURE_SETS, folds)
    names = {v: k for k, v in FEATURE_SETS.items()}
    record = {
        "label_folders": [str(f) for f in folders],
        "complexes": len({p.pdb_id for p in lists}),
        "lists": len(lists),
        "poses": int(sum(len(p.rmsd) for p in lists)),
        "folds": folds,
        "chosen": {"feature_set": names[best.features], "l2": best.l2},
        "cross_validation": [{**asdict(r), "features": names[r.features]} for r in results],
    }
    ranker = fit_ranker(lists, best, record)
    save_ranker(out, ranker)
    log.info(
        "ranker %s (λ %s): CV top-1 %.3f vs Vina %.3f",
        names[best.features],
        best.l2,
        best.top1,
        best.vina_top1,
    )
    return record
