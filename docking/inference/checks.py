"""Physical-validity flags of a docked pose from PoseBusters (Buttenschoen et al., 2024).

PoseBusters is an optional dependency (``pip install posebusters``); it is imported only
when flags are asked for.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from docking.errors import DockingError

POSEBUSTERS_CONFIG = "dock"  # checks that need no reference pose


@dataclass(frozen=True)
class PoseFlags:
    """How many PoseBusters checks a pose passed, and the names of those it failed."""

    passed: int
    total: int
    failed: tuple[str, ...]


def posebusters_flags(pose_sdf: Path, protein_pdb: Path) -> PoseFlags:
    """Run PoseBusters' ``dock`` checks on a pose in its protein."""
    try:
        from posebusters import PoseBusters
    except ImportError as error:
        raise DockingError(
            "PoseBusters flags need the posebusters package: pip install posebusters"
        ) from error
    table = PoseBusters(config=POSEBUSTERS_CONFIG).bust(
        mol_pred=str(pose_sdf), mol_cond=str(protein_pdb), full_report=False
    )
    row = table.iloc[0]
    checks = {name: bool(value) for name, value in row.items()}
    failed = tuple(name for name, ok in checks.items() if not ok)
    return PoseFlags(passed=len(checks) - len(failed), total=len(checks), failed=failed)
