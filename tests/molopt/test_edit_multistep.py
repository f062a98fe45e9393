"""The multi-step editor: each step is one edit of the last molecule, never a revisit,
and no property is measured on the way."""

import random

import pytest
import torch
from rdkit import Chem
from rdkit.Chem import Descriptors

import molopt.errors
import molopt.repo.edits
from molopt.edit.answer import EditPolicy
from molopt.edit.model import EditScorer
from molopt.edit.multistep import policy_trajectory, trajectory
from molopt.edit.space import enumerate_edits
from molopt.repo.edits import EditGoal

SOURCE = "CC(=O)Nc1ccc(O)cc1"


@pytest.fixture(scope="module")
def policy():
    torch.manual_seed(0)
    return EditPolicy(EditScorer())


def _fail(*_args, **_kwargs):
    raise AssertionError("a property oracle was called while editing")


def test_each_step_is_one_edit_of_the_previous_molecule(policy, monkeypatch):
    monkeypatch.setattr(Descriptors, "MolLogP", _fail)
    monkeypatch.setitem(molopt.repo.edits.PROPERTIES, "LogP", _fail)
    path = policy_trajectory(policy, SOURCE, EditGoal("LogP", direction=1), steps=4)
    monkeypatch.undo()
    assert len(path) == 4
    previous = SOURCE
    for smiles in path:
        assert smiles in {e.smiles for e in enumerate_edits(Chem.MolFromSmiles(previous))}
        previous = smiles
    canonical = Chem.MolToSmiles(Chem.MolFromSmiles(SOURCE))
    assert len(set(path)) == 4 and canonical not in path


def test_a_ranking_that_undoes_the_last_edit_does_not_loop():
    source = Chem.MolFromSmiles("CCO")
    forward = enumerate_edits(source)[0]

    def back_and_forth(mol):  # always proposes the source first, then its first edit
        edits = enumerate_edits(mol)
        back = [e for e in edits if e.smiles == Chem.MolToSmiles(source)]
        return back + [forward] + edits

    path = trajectory("CCO", back_and_forth, steps=3)
    assert path[0] == forward.smiles and len(set(path)) == len(path) == 3


def test_random_ranking_and_bad_source():
    rng = random.Random(0)
    path = trajectory(SOURCE, lambda m: rng.sample(enumerate_edits(m), 5), steps=2)
    assert len(path) == 2
    with pytest.raises(molopt.errors.MoloptError, match="not a SMILES"):
        trajectory("not a molecule", enumerate_edits, steps=2)
