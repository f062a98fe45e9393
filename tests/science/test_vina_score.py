"""Vina docking: a fixed non-zero seed gives the same score; seed 0 (Vina's "random") is refused."""

from __future__ import annotations

import pytest
from rdkit import Chem

from science.vina.errors import VinaRunError
from science.vina.prepare import prepare_ligand
from science.vina.score import dock
from science.vina.targets import load_target


@pytest.fixture(scope="module")
def paracetamol() -> str:
    """Paracetamol's PDBQT, prepared as dockstring prepares ligands."""
    return prepare_ligand(Chem.MolFromSmiles("CC(=O)Nc1ccc(O)cc1"), seed=1).pdbqt


def test_the_same_seed_gives_the_same_score(paracetamol):
    target = load_target("ABL1")
    scores = {dock(paracetamol, target, exhaustiveness=1, seed=7).score for _ in range(3)}
    assert len(scores) == 1 and scores.pop() < -4.0


def test_seed_zero_is_refused(paracetamol):
    with pytest.raises(VinaRunError, match="pass a non-zero seed"):
        dock(paracetamol, load_target("ABL1"), seed=0)


def test_open_babel_imported_after_vina_does_not_abort_the_process():
    """`vina` then pybel aborts Python (SWIG); importing this package first makes it safe."""
    import subprocess
    import sys

    code = "import science.vina.score, vina; from openbabel import pybel; print('alive')"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.strip() == "alive", done.stderr[-500:]
