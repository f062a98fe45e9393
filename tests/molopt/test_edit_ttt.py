"""The edit policy learning at test time: actions are edits of the parent, their exact
log-probability, learning from groups, exact resume, the frozen variant, and a PMO run."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from rdkit import Chem

from evolve.context import Context, Member
from evolve.errors import ProposerConfigError
from evolve.problem import Objective, Problem
from evolve.ttt.policy import TTTConfig
from molopt.edit.features import edit_features, task_vector
from molopt.edit.model import collate
from molopt.edit.space import enumerate_edits
from molopt.edit.ttt_proposer import EditTTT, edit_policy
from molopt.repo.edits import EditGoal
from tests.molopt.ttt_runs import run_qed_with_ttt
from tests.molopt.ttt_runs import told as scored_by

pytestmark = pytest.mark.usefixtures("one_torch_thread")

PROBLEM = Problem("qed", "smiles", Objective("score"), "maximize QED")
PARENT = Member("p", "CC(=O)Oc1ccccc1C(=O)O", 0.5, {"score": 0.5}, True)
CONFIG = TTTConfig(enabled=True, group_size=4, lr=1e-2)


def context(generation: int, parents=(PARENT,)) -> Context:
    return Context(PROBLEM, generation, 0, parents, (), PARENT, np.random.default_rng(generation))


def told(proposals, score=lambda smiles: Chem.MolFromSmiles(smiles).GetNumHeavyAtoms() / 20):
    """Scored results with a made-up reward, the heavy-atom count (a policy can learn it)."""
    return scored_by(proposals, score)


def test_children_are_edits_of_their_parent_in_tagged_groups():
    proposer = EditTTT(PROBLEM, CONFIG)
    proposals = proposer.propose(context(1), 8)
    products = {e.smiles for e in enumerate_edits(Chem.MolFromSmiles(PARENT.content))}
    assert len(proposals) == 8 and {p.content for p in proposals} <= products
    assert {p.meta["group"] for p in proposals} == {"1:0", "1:1"}
    assert all(p.parents == ("p",) for p in proposals)


def test_an_actions_log_probability_is_the_scorers_softmax_over_the_parents_edits():
    proposer = EditTTT(PROBLEM, CONFIG)
    policy = proposer.policy
    actions = policy.sample(PARENT.content, 5, torch.Generator().manual_seed(0))
    mol = Chem.MolFromSmiles(PARENT.content)
    edits = enumerate_edits(mol)
    batch = collate([(edit_features(mol, edits), task_vector(EditGoal("QED", direction=1)))])
    with torch.no_grad():
        expected = torch.log_softmax(policy.model(batch), dim=-1)
    got = policy.log_probs(PARENT.content, actions).detach()
    assert torch.allclose(got, expected[[a["edit"] for a in actions]])
    assert torch.exp(expected).sum() == pytest.approx(1.0, abs=1e-5)


def test_an_action_that_no_longer_names_its_edit_is_refused():
    policy = EditTTT(PROBLEM, CONFIG).policy
    with pytest.raises(ValueError, match="edit space changed"):
        policy.log_probs(PARENT.content, [{"edit": 0, "smiles": "CCCCCCCC"}])


def test_updates_follow_the_rewards_and_resume_to_the_same_weights():
    proposer = EditTTT(PROBLEM, CONFIG)
    for generation in range(1, 4):
        proposer.tell(told(proposer.propose(context(generation), 8)))
    curve = proposer.learning_curve()
    assert len(curve) == 3 and {"mean_reward", "beta", "entropy", "loss"} <= set(curve[0])
    resumed = EditTTT(PROBLEM, CONFIG)
    resumed.load_state_dict(proposer.state_dict())
    for a, b in zip(proposer.policy.parameters(), resumed.policy.parameters(), strict=True):
        assert torch.equal(a, b)
    fresh = EditTTT(PROBLEM, CONFIG)
    assert any(
        not torch.equal(a, b)
        for a, b in zip(proposer.policy.parameters(), fresh.policy.parameters(), strict=True)
    )
    assert resumed.propose(context(4), 8) == proposer.propose(context(4), 8)


def test_learning_raises_the_probability_of_the_rewarded_edits():
    proposer = EditTTT(PROBLEM, TTTConfig(enabled=True, group_size=8, lr=3e-2))
    mol = Chem.MolFromSmiles(PARENT.content)
    edits = enumerate_edits(mol)
    larger = [
        {"edit": i, "smiles": e.smiles}
        for i, e in enumerate(edits)
        if Chem.MolFromSmiles(e.smiles).GetNumHeavyAtoms() > mol.GetNumHeavyAtoms()
    ]
    before = proposer.policy.log_probs(PARENT.content, larger).exp().sum().item()
    for generation in range(1, 6):
        proposer.tell(told(proposer.propose(context(generation), 16)))
    after = proposer.policy.log_probs(PARENT.content, larger).exp().sum().item()
    assert after > before + 0.05


def test_without_ttt_the_policy_stays_frozen():
    proposer = edit_policy(PROBLEM)
    start = [p.detach().clone() for p in proposer.policy.parameters()]
    proposer.tell(told(proposer.propose(context(1), 8)))
    assert proposer.learning_curve() == [] and proposer.state_dict()["groups"] == []
    assert all(torch.equal(a, b) for a, b in zip(start, proposer.policy.parameters(), strict=True))


def test_the_kind_checks_its_options():
    assert isinstance(edit_policy(PROBLEM, ttt={"enabled": True}), EditTTT)
    goal = edit_policy(PROBLEM, goal={"task": "LogP", "direction": -1}).goal
    assert goal == EditGoal("LogP", direction=-1)
    with pytest.raises(ProposerConfigError, match="not one the policy was trained on"):
        edit_policy(PROBLEM, goal={"task": "Solubility"})
    with pytest.raises(ProposerConfigError, match="group_size"):
        edit_policy(PROBLEM, ttt={"enabled": True, "group_size": 1})
    with pytest.raises(ProposerConfigError, match="sigma"):
        edit_policy(PROBLEM, sigma=500.0)
    with pytest.raises(ProposerConfigError, match="writes SMILES"):
        edit_policy(Problem("v", "vector", Objective("x"), ""))


def test_a_pmo_task_runs_with_the_edit_policy_and_state_reuse(tmp_path):
    state, history = run_qed_with_ttt(tmp_path, "molopt.edit.ttt_proposer:edit_policy", 1e-3)
    assert len(state["curve"]) == len(state["groups"]) >= 2
    assert sum(bool(r.parents) for r in history) >= 16  # edits of selected states
