"""`discover dock` as a careless user drives it (issue 15): every bad row is a clear row of
``results.csv`` and the good rows are docked; a bad option or output folder is one clear
line, never a traceback."""

from __future__ import annotations

import csv

import numpy as np
import pytest
from rdkit import Chem
from typer.testing import CliRunner

from discovery.cli import app
from docking.errors import StructureError
from docking.inference.pocket import given_centre
from docking.inference.rank_agreement import rank_disagreement
from docking.network.featurize import ELEMENTS
from docking.structures import LIGAND_ELEMENTS, MAX_LIGAND_HEAVY_ATOMS, load_ligand

runner = CliRunner()
CENTRE = "-2.17 3.42 7.33"  # the 6ce6 crystal ligand's centroid


def _rows(path) -> list[dict[str, str]]:
    return list(csv.DictReader(open(path)))


def _two_molecule_sdf(data_dir, tmp_path):
    path = tmp_path / "two.sdf"
    block = (data_dir / "6ce6_ligand.sdf").read_text()
    path.write_text(block + block)
    return path


def test_bad_cells_fail_their_rows_only(tiny_checkpoint, data_dir, tmp_path, capfd):
    protein = data_dir / "6ce6_protein.pdb"
    table = tmp_path / "batch.csv"
    table.write_text(
        "complex_name,protein_path,ligand,pocket_center,pocket_residues\n"
        f"good,{protein},CCO,{CENTRE},\n"
        f"short_centre,{protein},CCO,1 2,\n"
        f"bad_residues,{protein},CCO,,A45\n"
        f"nan_centre,{protein},CCO,nan nan nan,\n"
        f"far_centre,{protein},CCO,1e9 0 0,\n"
        f"missing_cell,{protein}\n"
        f"two_molecules,{protein},{_two_molecule_sdf(data_dir, tmp_path)},{CENTRE},\n"
        f"organometallic,{protein},C[Hg]C,{CENTRE},\n"
        f"huge,{protein},{'C' * (MAX_LIGAND_HEAVY_ATOMS + 1)},{CENTRE},\n"
        f"unparsable,{protein},C1CC(,{CENTRE},\n"
        f"blind,{protein},CCN,,\n"
    )
    result = runner.invoke(
        app,
        ["dock", "--mode", "fabflex", "--csv", str(table), "--out", str(tmp_path / "out"),
         "--checkpoint", str(tiny_checkpoint)],
    )  # fmt: skip
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    rows = {r["complex_name"]: r for r in _rows(tmp_path / "out" / "results.csv")}
    assert list(rows) == [
        "good", "short_centre", "bad_residues", "nan_centre", "far_centre", "missing_cell",
        "two_molecules", "organometallic", "huge", "unparsable", "blind",
    ]  # fmt: skip
    assert rows["good"]["status"] == rows["blind"]["status"] == "ok"
    reasons = {
        "short_centre": "is not 'x y z'",
        "bad_residues": "'A45' is not chain:number",
        "nan_centre": "not finite",
        "far_centre": "1e+09 Å from the nearest Cα",
        "missing_cell": "missing cell(s) ligand",
        "two_molecules": "holds 2 molecules",
        "organometallic": "element(s) Hg outside the docking domain",
        "huge": f"{MAX_LIGAND_HEAVY_ATOMS + 1} heavy atoms",
        "unparsable": "cannot parse",
    }
    for name, reason in reasons.items():
        assert rows[name]["status"] == "failed" and reason in rows[name]["error"], rows[name]
        assert rows[name]["chirality_reflected"] == ""  # blank, not False
        assert result.output.count(rows[name]["error"]) == 1  # each failure said once
    assert "2/11 docked" in result.output
    raw_rdkit = "SMILES Parse Error"  # RDKit's own log lines, held back
    assert raw_rdkit not in result.output and raw_rdkit not in capfd.readouterr().err


def test_bad_rows_fail_alone_in_the_vina_path_too(data_dir, tmp_path):
    protein = data_dir / "6ce6_protein.pdb"
    table = tmp_path / "batch.csv"
    table.write_text(
        "complex_name,protein_path,ligand,pocket_center\n"
        f"nan_centre,{protein},CCO,nan 0 0\nfar,{protein},CCO,0 0 1e9\nmissing,,CCO,{CENTRE}\n"
        f"slash/name,{protein},CCO,{CENTRE}\n"
    )
    result = runner.invoke(
        app, ["dock", "--mode", "vina", "--csv", str(table), "--out", str(tmp_path / "out")]
    )
    assert result.exit_code == 1, result.output
    rows = _rows(tmp_path / "out" / "results.csv")
    assert [r["status"] for r in rows] == ["failed"] * 4
    assert "not finite" in rows[0]["error"] and "Å from the nearest Cα" in rows[1]["error"]
    assert "protein_path" in rows[2]["error"] and "without /" in rows[3]["error"]


@pytest.mark.parametrize(
    "out", ["/proc/no/such/folder", "FILE/inside", "/sys/read-only"], ids=["proc", "file", "ro"]
)
def test_impossible_output_folder_is_one_clear_line(out, data_dir, tmp_path):
    (tmp_path / "FILE").write_text("a file, not a folder")
    out = out.replace("FILE", str(tmp_path / "FILE"))
    for mode in ("fabflex", "vina"):
        result = runner.invoke(
            app,
            ["dock", "--mode", mode, "--protein", str(data_dir / "6ce6_protein.pdb"),
             "--ligand", "CCO", "--pocket-center", *CENTRE.split(), "--out", out],
        )  # fmt: skip
        assert result.exit_code == 1, result.output
        assert isinstance(result.exception, SystemExit)
        assert f"output folder {out}: cannot create or write it" in result.output


def test_unknown_device_is_one_clear_line(data_dir, tmp_path):
    for mode in ("fabflex", "vina"):
        result = runner.invoke(
            app,
            ["dock", "--mode", mode, "--protein", str(data_dir / "6ce6_protein.pdb"),
             "--ligand", "CCO", "--device", "tpu", "--out", str(tmp_path)],
        )  # fmt: skip
        assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
        assert "device 'tpu' unknown" in result.output


def test_ligand_elements_are_those_the_model_featurizes():
    numbers = {Chem.GetPeriodicTable().GetAtomicNumber(e) for e in LIGAND_ELEMENTS - {"H"}}
    assert numbers == set(ELEMENTS)


def test_ferrocene_file_is_outside_the_domain(tmp_path):
    path = tmp_path / "ferrocene.sdf"
    mol = Chem.MolFromSmiles("[cH-]1cccc1.[cH-]1cccc1.[Fe+2]")
    path.write_text(Chem.MolToMolBlock(mol))
    with pytest.raises(StructureError, match="Fe outside the docking domain"):
        load_ligand(path)


def test_a_given_centre_near_the_protein_is_kept(protein_6ce6):
    centre = (-2.17, 3.42, 7.33)
    assert np.allclose(given_centre(protein_6ce6, centre, ()), centre)
    assert given_centre(protein_6ce6, None, ()) is None
    with pytest.raises(StructureError, match="not both"):
        given_centre(protein_6ce6, centre, (("A", 1150, ""),))


def test_ranks_in_different_sites_carry_a_warning():
    same_site = [np.zeros(3), np.array([1.0, 2.0, 0.0]), np.array([0.0, 3.0, 0.0])]
    assert rank_disagreement(same_site) == ""
    two_sites = [np.zeros(3), np.array([1.0, 0.0, 0.0]), np.array([0.0, 9.0, 0.0])]
    assert "rank 3 lies 9.0 Å from rank 1" in rank_disagreement(two_sites)
    assert rank_disagreement([np.zeros(3)]) == ""
