"""The SMILES policy learning at test time: parent-conditioned actions, their likelihood,
learning from groups, exact resume, and a PMO run with TTT's state reuse."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from evolve.context import Context, Member
from evolve.errors import ProposerConfigError
from evolve.problem import Objective, Problem
from evolve.ttt.policy import TTTConfig
from molopt.policy.likelihood import token_log_probs
from molopt.policy.proposer import SmilesPolicy, smiles_policy
from molopt.policy.ttt_proposer import SmilesTTT
from tests.molopt.ttt_runs import run_qed_with_ttt
from tests.molopt.ttt_runs import told as scored_by

pytestmark = pytest.mark.usefixtures("one_torch_thread")

PROBLEM = Problem("qed", "smiles", Objective("score"), "maximize QED")
PARENT = Member("p", "CC(=O)Oc1ccccc1C(=O)O", 0.5, {"score": 0.5}, True)
CONFIG = TTTConfig(enabled=True, group_size=4, lr=1e-3)


def context(generation: int, parents=(PARENT,)) -> Context:
    return Context(PROBLEM, generation, 0, parents, (), PARENT, np.random.default_rng(generation))


def told(proposals, score=lambda smiles: len(smiles) / 100.0):
    """Scored results with a made-up reward, the SMILES length (a policy can learn it)."""
    return scored_by(proposals, score)


def test_children_keep_a_prefix_of_a_smiles_of_their_parent():
    proposer = SmilesTTT(PROBLEM, CONFIG)
    proposals = proposer.propose(context(1), 8)
    assert len(proposals) == 8
    assert all(p.parents == ("p",) and p.meta["group"] in ("1:0", "1:1") for p in proposals)
    for state, written in proposer.book.pending.values():
        assert state == PARENT.content
        prefixes = {tuple(a["prefix"]) for a, _ in written}
        assert len(prefixes) == 1  # one group, one prefix
        [prefix] = prefixes
        assert prefix[0] == proposer.policy.tokenizer.bos_id and len(prefix) >= 2


def test_an_actions_log_probability_counts_only_the_written_tokens():
    proposer = SmilesTTT(PROBLEM, CONFIG)
    policy = proposer.policy
    actions = policy.sample(PARENT.content, 3, torch.Generator().manual_seed(0))
    got = policy.log_probs(PARENT.content, actions)
    for action, value in zip(actions, got, strict=True):
        ids = torch.tensor([[*action["prefix"], *action["completion"]]])
        per_token = token_log_probs(policy.model, ids, torch.ones_like(ids))[0]
        expected = per_token[len(action["prefix"]) - 1 :].sum()
        assert float(value) == pytest.approx(float(expected), abs=1e-4)


def test_updates_follow_the_rewards_and_resume_to_the_same_weights():
    proposer = SmilesTTT(PROBLEM, CONFIG)
    for generation in range(1, 4):
        proposer.tell(told(proposer.propose(context(generation), 8)))
    assert len(proposer.learning_curve()) == 3
    assert {"mean_reward", "beta", "entropy", "loss"} <= set(proposer.learning_curve()[0])
    resumed = SmilesTTT(PROBLEM, CONFIG)
    resumed.load_state_dict(proposer.state_dict())
    for a, b in zip(proposer.policy.parameters(), resumed.policy.parameters(), strict=True):
        assert torch.equal(a, b)
    fresh = SmilesTTT(PROBLEM, CONFIG)
    moved = any(
        not torch.equal(a, b)
        for a, b in zip(proposer.policy.parameters(), fresh.policy.parameters(), strict=True)
    )
    assert moved
    assert resumed.propose(context(4), 8) == proposer.propose(context(4), 8)


def test_the_kind_builds_reinvent_or_ttt_from_the_options():
    assert isinstance(smiles_policy(PROBLEM), SmilesPolicy)
    assert isinstance(smiles_policy(PROBLEM, ttt={"enabled": True}), SmilesTTT)
    with pytest.raises(ProposerConfigError, match="group_size"):
        smiles_policy(PROBLEM, ttt={"enabled": True, "group_size": 1})
    with pytest.raises(ProposerConfigError, match="sigma"):
        smiles_policy(PROBLEM, ttt={"enabled": True}, sigma=500.0)


def test_a_pmo_task_runs_with_ttt_and_state_reuse(tmp_path):
    state, history = run_qed_with_ttt(tmp_path, "molopt.policy.proposer:smiles_policy", 1e-4)
    assert len(state["curve"]) == len(state["groups"]) >= 3
    assert sum(bool(r.parents) for r in history) >= 16  # children of selected states
