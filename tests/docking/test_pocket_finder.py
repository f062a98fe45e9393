"""Pocket finders for blind docking: LIGSITE finds an enclosed cavity and the PDBbind
ligand's site; the finder registry refuses unknown names; blind rows of the Vina path dock
the finder's pockets and say which pocket each pose came from."""

from __future__ import annotations

import csv

import numpy as np
import pytest
from rdkit import Chem
from typer.testing import CliRunner

from discovery.cli import app
from docking.errors import DockingConfigError
from docking.inference.hybrid import HybridOptions, sites
from docking.inference.ligsite import buriedness, ligsite_pockets
from docking.inference.pocket_finder import find_pockets
from docking.inference.table import DockingRequest

runner = CliRunner()


def _ligand_centre(path) -> np.ndarray:
    mol = Chem.MolFromMol2File(str(path), sanitize=False)
    heavy = [a.GetIdx() for a in mol.GetAtoms() if a.GetAtomicNum() > 1]
    return mol.GetConformer().GetPositions()[heavy].mean(axis=0)


def test_buriedness_counts_the_directions_enclosed_on_both_sides():
    shell = np.zeros((21, 21, 21), dtype=bool)
    points = np.argwhere(~shell)
    radius = np.linalg.norm(points - 10, axis=1)
    shell[tuple(points[(radius > 6) & (radius < 8)].T)] = True
    counts = buriedness(shell)
    assert counts[10, 10, 10] == 7  # the centre of a closed shell: enclosed along all 7 lines
    assert counts[0, 0, 0] == 0  # a corner outside it: never


def test_a_cavity_in_a_slab_of_atoms_is_found_at_its_centre():
    grid = np.stack(np.meshgrid(*[np.arange(0.0, 24.0, 1.5)] * 3, indexing="ij"), -1)
    atoms = grid.reshape(-1, 3)
    centre = np.array([12.0, 12.0, 12.0])
    atoms = atoms[np.linalg.norm(atoms - centre, axis=1) > 6.0]  # a 6 Å hole in a block
    pockets = ligsite_pockets(atoms)
    assert pockets and np.linalg.norm(pockets[0][0] - centre) < 1.0


@pytest.mark.parametrize("pdb_id", ["6ce6", "5i7x"])
def test_ligsite_puts_a_candidate_near_the_crystal_ligand(pdb_id, data_dir):
    pockets = find_pockets(data_dir / f"{pdb_id}_protein.pdb", "ligsite", 3)
    target = _ligand_centre(data_dir / f"{pdb_id}_ligand.mol2")
    assert [p.rank for p in pockets] == list(range(1, len(pockets) + 1))
    assert min(np.linalg.norm(p.centre - target) for p in pockets) < 5.0
    assert pockets[0].label == "ligsite#1"


def test_unknown_finder_is_refused(data_dir):
    with pytest.raises(DockingConfigError, match="frobnicate"):
        find_pockets(data_dir / "6ce6_protein.pdb", "frobnicate")
    with pytest.raises(DockingConfigError, match="frobnicate"):
        HybridOptions(finder="frobnicate")
    with pytest.raises(DockingConfigError, match="pockets"):
        HybridOptions(pockets=0)


def test_blind_rows_get_candidate_pockets_and_bad_rows_their_reason(data_dir):
    protein = data_dir / "6ce6_protein.pdb"
    requests = [
        DockingRequest("blind", protein, "CCO"),
        DockingRequest("given", protein, "CCO", (-2.17, 3.42, 7.33)),
        DockingRequest("blind", protein, "CCN"),
    ]
    blind, given, repeated = sites(requests, None, HybridOptions(mode="vina", pockets=2))
    assert [p.label for p in blind][:1] == ["ligsite#1"] and len(blind) <= 2
    assert np.allclose(given, (-2.17, 3.42, 7.33))
    assert "duplicate complex_name" in repeated


@pytest.mark.slow  # Vina docks in every candidate pocket (about a minute, loaded 2 cores)
def test_blind_vina_docking_reports_the_pocket_of_each_pose(data_dir, tmp_path):
    result = runner.invoke(
        app,
        ["dock", "--mode", "vina", "--protein", str(data_dir / "6ce6_protein.pdb"),
         "--ligand", str(data_dir / "6ce6_ligand.sdf"), "--exhaustiveness", "2",
         "--pockets", "2", "--out", str(tmp_path)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    row = next(csv.DictReader(open(tmp_path / "results.csv")))
    assert row["status"] == "ok" and row["pocket"].startswith("ligsite#")
    pose = next(Chem.SDMolSupplier(row["rank1_sdf"]))
    assert pose.GetProp("pocket") == row["pocket"]


def test_pocketeer_gives_ranked_candidates(data_dir):
    pytest.importorskip("pocketeer")
    pockets = find_pockets(data_dir / "6ce6_protein.pdb", "pocketeer", 3)
    target = _ligand_centre(data_dir / "6ce6_ligand.mol2")
    assert pockets[0].label == "pocketeer#1"
    assert [p.score for p in pockets] == sorted((p.score for p in pockets), reverse=True)
    assert min(np.linalg.norm(p.centre - target) for p in pockets) < 5.0
