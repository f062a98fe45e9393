"""`discover molopt edit`: one molecule, a CSV (every row kept, in order), --verify K, and
the benchmark protocol (no property oracle while answering)."""

import csv

import pytest
import torch
from rdkit import Chem
from rdkit.Chem import Descriptors
from typer.testing import CliRunner

import molopt.edit.labels
import molopt.repo.edits
from discovery.cli import app
from molopt.edit.answer import EditPolicy
from molopt.edit.model import EditScorer, save_scorer
from molopt.edit.space import enumerate_edits
from molopt.edit.table import answer_rows
from molopt.edit.task import parse_task
from molopt.repo.edits import achieved

ROWS = [
    {"smiles": "CCOc1ccccc1", "task": "increase QED"},
    {"smiles": "not a molecule", "task": "increase QED"},
    {"smiles": "CC(=O)Nc1ccc(O)cc1", "task": "make it nicer"},
    {
        "smiles": "OC(=O)c1ccccc1Cl",
        "task": "Please remove a halo from the molecule OC(=O)c1ccccc1Cl.",
    },
]


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory):
    torch.manual_seed(0)
    path = tmp_path_factory.mktemp("policy") / "model.pt"
    save_scorer(EditScorer(), path, {"variant": "untrained"})
    return path


def _fail(*_args, **_kwargs):
    raise AssertionError("a property oracle was called while answering")


def test_answering_calls_no_property_oracle(checkpoint, monkeypatch):
    for name in ("qed", "MolLogP", "MolMR"):
        monkeypatch.setattr(Descriptors, name, _fail)
    monkeypatch.setitem(molopt.repo.edits.PROPERTIES, "QED", _fail)
    monkeypatch.setitem(molopt.repo.edits.PROPERTIES, "LogP", _fail)
    monkeypatch.setitem(molopt.repo.edits.PROPERTIES, "MR", _fail)
    monkeypatch.setattr(molopt.repo.edits, "group_count", _fail)
    monkeypatch.setattr(molopt.edit.labels, "group_count", _fail)
    monkeypatch.setattr(molopt.edit.labels, "label_edits", _fail)
    rows = answer_rows(ROWS, EditPolicy.load(checkpoint))
    assert rows[0]["answer"] and rows[3]["answer"]


def test_single_answer_is_one_edit_of_the_source(checkpoint):
    result = CliRunner().invoke(
        app,
        [
            "molopt",
            "edit",
            "--smiles",
            "CCOc1ccccc1",
            "--task",
            "increase QED",
            "--checkpoint",
            str(checkpoint),
        ],
    )
    assert result.exit_code == 0, result.output
    answer, description = result.output.strip().splitlines()
    edits = {e.smiles for e in enumerate_edits(Chem.MolFromSmiles("CCOc1ccccc1"))}
    assert answer in edits
    assert description.startswith("QED: 0.")


def test_csv_keeps_every_row_in_order_with_errors(checkpoint, tmp_path):
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    with source.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["smiles", "task"])
        writer.writeheader()
        writer.writerows(ROWS)
    result = CliRunner().invoke(
        app,
        [
            "molopt",
            "edit",
            "--csv",
            str(source),
            "--out",
            str(target),
            "--checkpoint",
            str(checkpoint),
        ],
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(target.open()))
    assert [r["smiles"] for r in rows] == [r["smiles"] for r in ROWS]
    assert rows[0]["answer"] and not rows[0]["error"] and rows[0]["measure"] == "QED"
    assert not rows[1]["answer"] and "not a SMILES" in rows[1]["error"]
    assert not rows[2]["answer"] and "not understood" in rows[2]["error"]
    assert rows[3]["measure"] == "halo count" and rows[3]["before"] == "1"


def test_verify_returns_a_checked_success_when_the_top_k_hold_one(checkpoint):
    goal = parse_task("remove halo")
    policy = EditPolicy.load(checkpoint)
    result = policy.answer("OC(=O)c1ccccc1Cl", goal, verify=400)
    source = Chem.MolFromSmiles("OC(=O)c1ccccc1Cl")
    assert result.verified is True
    assert achieved(source, Chem.MolFromSmiles(result.smiles), goal)


def test_a_missing_column_is_a_clear_error(checkpoint, tmp_path):
    source = tmp_path / "in.csv"
    source.write_text("molecule,task\nCCO,increase QED\n")
    result = CliRunner().invoke(
        app,
        [
            "molopt",
            "edit",
            "--csv",
            str(source),
            "--out",
            str(tmp_path / "o.csv"),
            "--checkpoint",
            str(checkpoint),
        ],
    )
    assert result.exit_code == 1
    assert "missing column(s) smiles" in result.output
