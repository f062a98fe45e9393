"""Vina pretraining poses: real docking of small molecules into DOCKSTRING's ABL1 at
exhaustiveness 1, a broken SMILES recorded with its reason, resume, worker processes, the
command line, and the receptor PDB cut from dockstring's PDBQT.

The fixture folder `tests/data/docking/training/vina_poses/` was made the same way (paracetamol,
toluenesulfonamide and a broken SMILES into ABL1, exhaustiveness 1, seed 1), its receptor then
cut to the 76 residues with an atom within 14 Å of the box centre to keep it small.
"""

from __future__ import annotations

import csv

import numpy as np
import pytest
from rdkit import Chem
from typer.testing import CliRunner

from discovery.cli import app
from docking.errors import DockingConfigError
from docking.structures import load_ligand_file, load_protein
from docking.training import pose_folder
from docking.training.pose_molecules import check
from docking.training.vina_poses import PoseSettings, make_poses, write_receptor
from science.vina.targets import load_target

FAST = PoseSettings(exhaustiveness=1, seed=1)
runner = CliRunner()


def test_receptor_pdb_keeps_every_residue_of_the_pdbqt(tmp_path):
    path = write_receptor("ABL1", tmp_path)
    pdbqt = load_target("ABL1").receptor.read_text().splitlines()
    atoms = [line for line in pdbqt if line.startswith("ATOM")]
    assert len(atoms) == sum(line.startswith("ATOM") for line in path.read_text().splitlines())
    protein = load_protein(path)
    assert protein.num_residues == len({line[17:27] for line in atoms})
    assert all(len(line) <= 66 for line in path.read_text().splitlines())


def test_poses_are_docked_written_and_resumed(tmp_path):
    folder = tmp_path / "poses"
    first = [check(s, frozenset()) for s in ("CC(=O)Nc1ccc(O)cc1", "C1CC(")]
    summary = make_poses(folder, ["ABL1"], first, FAST)
    assert (summary.docked, summary.failed, summary.skipped) == (1, 1, 0)
    rows = {r["smiles"]: r for r in pose_folder.read_index(folder)}
    assert rows["C1CC("]["status"] == "failed" and "cannot parse" in rows["C1CC("]["reason"]
    docked = rows["CC(=O)Nc1ccc(O)cc1"]
    pose = load_ligand_file(folder / docked["ligand"])
    assert Chem.MolToSmiles(Chem.RemoveHs(pose)) == "CC(=O)Nc1ccc(O)cc1"  # bond orders kept
    assert pose.GetNumAtoms() > pose.GetNumHeavyAtoms()  # with hydrogens
    tagged = next(Chem.SDMolSupplier(str(folder / docked["ligand"]), removeHs=False))
    assert float(tagged.GetProp("vina_score")) == float(docked["vina_score"]) < -3.0
    box = load_target("ABL1")
    offset = np.abs(pose.GetConformer().GetPositions() - np.array(box.center))
    assert (offset <= np.array(box.size) / 2 + 2.0).all()  # inside Vina's search box

    more = [*first, check("Cc1ccc(S(N)(=O)=O)cc1", frozenset())]
    again = make_poses(folder, ["ABL1"], more, FAST, workers=2)  # through the worker pool
    assert (again.docked, again.failed, again.skipped) == (1, 0, 2)
    index = pose_folder.read_index(folder)
    assert len(index) == 3 and len({(r["target"], r["smiles"]) for r in index}) == 3


def test_molecules_that_cannot_be_prepared_or_docked_are_failed_rows(tmp_path):
    tin, boronic_acid = "C[Sn](C)(C)C", "OB(O)c1ccccc1"  # no meeko type; no Vina type for B
    candidates = [check(s, frozenset()) for s in (tin, boronic_acid)]
    summary = make_poses(tmp_path, ["ABL1"], candidates, FAST)
    assert (summary.docked, summary.failed) == (0, 2)
    rows = {r["smiles"]: r for r in pose_folder.read_index(tmp_path)}
    assert rows[tin]["reason"].startswith("LigandPreparationError: meeko cannot write")
    assert rows[boronic_acid]["reason"].startswith("VinaRunError: Vina failed on target ABL1")
    assert not any(r["ligand"] for r in rows.values())
    assert not (tmp_path / "poses").exists()


def test_command_line_draws_from_a_smiles_file(tmp_path, mini_data_folder, monkeypatch):
    monkeypatch.setenv("DISCOVERY_DATA", str(mini_data_folder))
    smiles = tmp_path / "in.smi"
    smiles.write_text("CC(=O)Oc1ccccc1C(=O)[O-]\nnot-a-smiles\n")  # a test ligand, a typo
    out = tmp_path / "out"
    result = runner.invoke(
        app,
        ["dock", "make-poses", "--out", str(out), "--targets", "ABL1,F2",
         "--molecules", "5", "--smiles", str(smiles), "--exhaustiveness", "1"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "0 docked, 2 failed, 2 excluded" in result.output
    with open(out / "index.csv", newline="") as handle:
        statuses = sorted((r["target"], r["status"]) for r in csv.DictReader(handle))
    assert statuses == [("ABL1", "excluded"), ("ABL1", "failed"), ("F2", "excluded"),
                        ("F2", "failed")]  # fmt: skip
    assert (out / "receptors" / "F2.pdb").exists()


def test_command_line_rejects_an_unknown_target(tmp_path, mini_data_folder, monkeypatch):
    monkeypatch.setenv("DISCOVERY_DATA", str(mini_data_folder))
    smiles = tmp_path / "in.smi"
    smiles.write_text("CCO\n")
    result = runner.invoke(
        app, ["dock", "make-poses", "--out", str(tmp_path), "--targets", "NOPE",
              "--smiles", str(smiles)],
    )  # fmt: skip
    assert result.exit_code == 1
    assert "no target 'NOPE'" in result.output


def test_fixture_folder_matches_the_format(data_dir):
    rows = pose_folder.read_index(data_dir / "vina_poses")
    assert tuple(rows[0]) == pose_folder.COLUMNS
    assert {r["status"] for r in rows} == {"ok", "failed"}
    assert all((data_dir / "vina_poses" / r["ligand"]).exists() for r in rows if r["ligand"])
    assert (data_dir / "vina_poses" / pose_folder.receptor_file("ABL1")).exists()


def test_a_folder_keeps_one_setting(tmp_path):
    make_poses(tmp_path, ["ABL1"], [], FAST)
    assert pose_folder.read_settings(tmp_path)["exhaustiveness"] == 1
    with pytest.raises(DockingConfigError, match="use the same settings to extend it"):
        make_poses(tmp_path, ["ABL1"], [], PoseSettings(exhaustiveness=8))
