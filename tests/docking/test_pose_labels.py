"""The labelled-pose maker: training ids only, labels that measure what they say, failures
as rows, and a resume after kill -9 with no missing or doubled row."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from rdkit import Chem

from docking.errors import DockingConfigError
from docking.poses.pose_rmsd import symmetric_rmsd
from docking.training import pose_label_folder as layout
from docking.training.pose_labels import (
    Complex,
    LabelSettings,
    crystal_in_vina_form,
    job_names,
    make_labels,
    perturb,
    run_complex,
    training_complexes,
)
from science.vina.prepare import prepare_ligand

SMALL = LabelSettings(vina_seeds=(1,), exhaustiveness=1, perturbed=3)  # the CLI run's below
REPO = Path(__file__).resolve().parents[2]


def test_only_training_ids_are_read(mini_data_folder):
    assert [c.pdb_id for c in training_complexes(mini_data_folder)] == ["6ce6"]


def test_a_test_ligand_is_refused(mini_data_folder, tmp_path):
    item = next(training_complexes(mini_data_folder))
    with pytest.raises(DockingConfigError, match="test ligand"):
        run_complex(item, tmp_path, SMALL, frozenset({Chem.MolToInchiKey(item.crystal)[:14]}))


def test_crystal_in_vina_form_sits_on_the_crystal_and_perturbation_moves_it(mini_data_folder):
    item = next(training_complexes(mini_data_folder))
    native = crystal_in_vina_form(item.crystal, prepare_ligand(Chem.RemoveHs(item.crystal), 1).mol)
    assert symmetric_rmsd(native, item.crystal) < 1e-6
    moved = perturb(native, 2.0, np.random.default_rng(0))
    assert 1.0 < symmetric_rmsd(moved, item.crystal) < 8.0


def test_an_unusable_protein_makes_failed_rows(mini_data_folder, tmp_path):
    item = next(training_complexes(mini_data_folder))
    broken = Complex(item.pdb_id, "HEADER nothing here\nEND\n", item.crystal)
    run_complex(broken, tmp_path, SMALL, frozenset())
    rows = layout.read_rows(tmp_path)
    assert len(rows) == len(job_names(SMALL))
    assert all(r["status"] == "failed" and r["reason"] for r in rows)


def _maker(out: Path, data: Path) -> subprocess.Popen:
    """`discover dock make-labels` with `SMALL`'s settings, in a process of its own."""
    command = [
        sys.executable,
        "-c",
        "from discovery.cli import main; main()",
        "dock",
        "make-labels",
    ]
    command += ["--out", str(out), "--seeds", "1", "--exhaustiveness", "1", "--perturbed", "3"]
    env = {**os.environ, "PYTHONPATH": str(REPO), "DISCOVERY_DATA": str(data)}
    return subprocess.Popen(command, env=env)


@pytest.mark.slow  # about 45 s: a real Vina run, killed and resumed
def test_resume_after_kill_minus_9_has_every_row_once(mini_data_folder, tmp_path):
    out = tmp_path / "labels"
    process = _maker(out, mini_data_folder)
    deadline = time.monotonic() + 300
    while not list((out / "jobs").glob("*/*.csv")) and time.monotonic() < deadline:
        time.sleep(0.2)
    process.send_signal(signal.SIGKILL)
    process.wait()
    finished_before = len(list((out / "jobs").glob("*/*.csv")))
    assert 1 <= finished_before < len(job_names(SMALL)), "kill landed mid-run"
    make_labels(out, mini_data_folder, SMALL)
    rows = layout.read_rows(out)
    keys = Counter((r["pdb_id"], r["kind"], r["seed"], r["pose"]) for r in rows)
    assert max(keys.values()) == 1
    assert {(r["kind"], int(r["seed"])) for r in rows} == set(job_names(SMALL))
    for kind, seed in job_names(SMALL):
        poses = layout.read_poses(out, "6ce6", kind, seed)
        job_rows = [r for r in rows if (r["kind"], r["seed"]) == (kind, str(seed))]
        assert len(job_rows) == len(poses) > 0
        for row, pose in zip(job_rows, poses, strict=True):
            assert (
                abs(
                    float(row["rmsd"])
                    - symmetric_rmsd(pose, next(training_complexes(mini_data_folder)).crystal)
                )
                < 2e-3
            )
    assert any(float(r["rmsd"]) < 2.0 for r in rows if r["kind"] == "perturbed")
    assert all(float(r["rmsd"]) > 5.0 for r in rows if r["kind"] == "decoy")
    with pytest.raises(DockingConfigError, match="other settings"):
        make_labels(out, mini_data_folder, LabelSettings(exhaustiveness=2))
