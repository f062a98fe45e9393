"""`discover dock` and `discover dock train` through Typer's CliRunner (the network path,
`--mode fabflex`; the hybrid and Vina paths in test_hybrid.py)."""

from __future__ import annotations

import csv

from rdkit import Chem
from typer.testing import CliRunner

from discovery.cli import app

runner = CliRunner()


def test_dock_one_complex_from_smiles(tiny_checkpoint, data_dir, tmp_path):
    result = runner.invoke(
        app,
        [
            "dock", "--mode", "fabflex",
            "--protein", str(data_dir / "6ce6_protein.pdb"),
            "--ligand", "CC(=O)Oc1ccccc1C(=O)O",
            "--out", str(tmp_path),
            "--checkpoint", str(tiny_checkpoint),
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert (tmp_path / "6ce6_protein" / "rank1.sdf").exists()
    assert "1/1 docked" in result.output


def test_failed_complex_exits_non_zero_with_reason_in_table(tiny_checkpoint, data_dir, tmp_path):
    result = runner.invoke(
        app,
        ["dock", "--mode", "fabflex", "--protein", str(data_dir / "6ce6_protein.pdb"), "--ligand", "C1CC(",
         "--out", str(tmp_path), "--checkpoint", str(tiny_checkpoint)],
    )  # fmt: skip
    assert result.exit_code == 1
    rows = list(csv.DictReader(open(tmp_path / "results.csv")))
    assert rows[0]["status"] == "failed" and "cannot parse" in rows[0]["error"]


def test_radical_ligand_is_a_failed_row_with_its_reason(tiny_checkpoint, data_dir, tmp_path):
    radical_sdf = tmp_path / "radical.sdf"
    radical_sdf.write_text(Chem.MolToMolBlock(Chem.MolFromSmiles("C[CH2]")))
    batch = tmp_path / "batch.csv"
    protein = data_dir / "6ce6_protein.pdb"
    batch.write_text(
        "complex_name,protein_path,ligand\n"
        f"smiles,{protein},C[CH]c1ccccc1\nfile,{protein},{radical_sdf}\nfine,{protein},CCO\n"
    )
    result = runner.invoke(
        app,
        ["dock", "--mode", "fabflex", "--csv", str(batch), "--out", str(tmp_path / "out"),
         "--checkpoint", str(tiny_checkpoint)],
    )  # fmt: skip
    assert result.exit_code == 1
    rows = list(csv.DictReader(open(tmp_path / "out" / "results.csv")))
    assert [r["status"] for r in rows] == ["failed", "failed", "ok"]
    assert all("unpaired electrons" in r["error"] for r in rows[:2])


def test_missing_checkpoint_is_one_clear_line(data_dir, tmp_path):
    result = runner.invoke(
        app,
        ["dock", "--mode", "fabflex", "--protein", str(data_dir / "6ce6_protein.pdb"), "--ligand", "CCO",
         "--checkpoint", str(tmp_path / "none.pt")],
    )  # fmt: skip
    assert result.exit_code == 1
    assert "none.pt" in result.output


def test_train_command_writes_checkpoints(mini_data_folder, tmp_path):
    config = tmp_path / "cfg.yaml"
    config.write_text(
        f"data_folder: {mini_data_folder}\ncache_dir: {tmp_path / 'cache'}\n"
        f"out_dir: {tmp_path / 'run'}\nepochs: 1\nbatch_size: 1\n"
        "model: {hidden: 16, pocket_layers: 1, docking_layers: 1, rounds: 1}\n"
    )
    result = runner.invoke(app, ["dock", "train", "--config", str(config)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "run" / "last.pt").exists() and (tmp_path / "run" / "best.pt").exists()


def test_cuda_without_a_device_is_refused_clearly(data_dir, monkeypatch):
    monkeypatch.setattr("torch.cuda.is_available", lambda: False)
    result = runner.invoke(
        app,
        [
            "dock",
            "--mode",
            "fabflex",
            "--protein",
            str(data_dir / "6ce6_protein.pdb"),
            "--ligand",
            "CCO",
            "--device",
            "cuda",
        ],
    )
    assert result.exit_code == 2
    assert "no CUDA device" in result.output


def test_dock_csv_with_pocket_residues_and_batch_size(tiny_checkpoint, data_dir, tmp_path):
    protein = data_dir / "6ce6_protein.pdb"
    table = tmp_path / "batch.csv"
    table.write_text(
        "complex_name,protein_path,ligand,pocket_residues\n"
        f'a,{protein},CCO,"A:1150,A:1151"\nb,{protein},CCN,A:9999\nc,{protein},CCC,\n'
    )
    result = runner.invoke(
        app,
        ["dock", "--mode", "fabflex", "--csv", str(table), "--out", str(tmp_path / "out"), "--batch-size", "2",
         "--checkpoint", str(tiny_checkpoint)],
    )  # fmt: skip
    assert result.exit_code == 1, result.output
    rows = list(csv.DictReader(open(tmp_path / "out" / "results.csv")))
    assert [r["status"] for r in rows] == ["ok", "failed", "ok"]
    assert "A:1150" in rows[0]["pocket_residues"] and "A:9999" in rows[1]["error"]
    assert "2/3 docked" in result.output


def test_pocket_residues_option_checks_its_syntax(tiny_checkpoint, data_dir, tmp_path):
    base = ["dock", "--mode", "fabflex", "--protein", str(data_dir / "6ce6_protein.pdb"), "--ligand", "CCO",
            "--out", str(tmp_path), "--checkpoint", str(tiny_checkpoint)]  # fmt: skip
    ok = runner.invoke(app, [*base, "--pocket-residues", "A:1150,A:1151"])
    assert ok.exit_code == 0, ok.output
    rows = list(csv.DictReader(open(tmp_path / "results.csv")))
    assert "A:1151" in rows[0]["pocket_residues"]
    bad = runner.invoke(app, [*base, "--pocket-residues", "1150"])
    assert bad.exit_code == 1 and "chain:number" in bad.output
    both = runner.invoke(
        app, [*base, "--pocket-residues", "A:1150", "--pocket-center", "0", "0", "0"]
    )
    assert both.exit_code == 2 and "not both" in both.output


def test_dock_with_relax_writes_relaxed_and_unrelaxed_poses(tiny_checkpoint, data_dir, tmp_path):
    result = runner.invoke(
        app,
        [
            "dock", "--mode", "fabflex",
            "--protein", str(data_dir / "6ce6_protein.pdb"),
            "--ligand", str(data_dir / "6ce6_ligand.sdf"),
            "--pocket-center", "-2.17", "3.42", "7.33",  # the crystal ligand centroid
            "--out", str(tmp_path),
            "--checkpoint", str(tiny_checkpoint),
            "--relax",
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    folder = tmp_path / "6ce6_protein"
    assert (folder / "rank1_unrelaxed.sdf").exists() and (folder / "pocket_relaxed.pdb").exists()
    assert (folder / "rank1.sdf").read_text() != (folder / "rank1_unrelaxed.sdf").read_text()
    row = next(csv.DictReader(open(tmp_path / "results.csv")))
    assert float(row["relax_energy_after_kj_mol"]) < float(row["relax_energy_before_kj_mol"])
    assert float(row["relax_ligand_moved_angstrom"]) > 0
    assert row["relax_pocket_pdb"] == str(folder / "pocket_relaxed.pdb")
