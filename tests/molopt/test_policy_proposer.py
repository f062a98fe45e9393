"""The SMILES policy proposer (REINVENT-style agent over the shipped checkpoint) and the
graph GA / policy mixture: valid new molecules, determinism, learning direction, exact resume."""

import json

import numpy as np
import pytest
import torch

from discovery.runner import run_task
from discovery.spec import ProposerSpec, load_task
from evolve.context import Context, Member, Proposal, Scored
from evolve.errors import ProposerConfigError
from evolve.problem import Objective, Problem
from memory import Store
from memory.store import sqlite_url
from molopt.policy.errors import CheckpointError
from molopt.policy.likelihood import log_likelihoods
from molopt.policy.mixture import SmilesMixture
from molopt.policy.proposer import SmilesPolicy, randomized
from molopt.policy.sampling import canonical_or_none
from tests.molopt.test_pmo_tasks import TASKS

pytestmark = pytest.mark.usefixtures("one_torch_thread")

PROBLEM = Problem("qed", "smiles", Objective("score"), "maximize QED")
PARENTS = (
    Member("a", "CC(=O)Oc1ccccc1C(=O)O", 0.5, {"score": 0.5}, True),
    Member("b", "c1ccc2ccccc2c1", 0.4, {"score": 0.4}, True),
)
HIGH, LOW = "CC(=O)Nc1ccc(O)cc1", "CCCCCCCCCCCCCCCC"


def context(seed):
    return Context(PROBLEM, 1, 0, PARENTS, (), PARENTS[0], np.random.default_rng(seed))


def scored(smiles, score):
    member = Member(f"h-{smiles}", smiles, score, {"score": score}, True)
    return Scored(Proposal(smiles, (), "test"), member)


def test_children_are_new_valid_canonical_and_reproducible():
    first = SmilesPolicy(PROBLEM).propose(context(0), 16)
    again = SmilesPolicy(PROBLEM).propose(context(0), 16)
    other = SmilesPolicy(PROBLEM).propose(context(1), 16)
    contents = [p.content for p in first]
    assert len(contents) == 16 == len(set(contents))
    assert all(canonical_or_none(s) == s for s in contents)
    assert not set(contents) & {m.content for m in PARENTS}
    assert contents == [p.content for p in again] != [p.content for p in other]


def test_tell_moves_the_agent_toward_high_scores():
    policy = SmilesPolicy(PROBLEM, sigma=50.0, learning_rate=1e-3)
    batch = [HIGH, LOW]
    before = log_likelihoods(policy.agent, policy.tokenizer, batch).detach()
    for _ in range(5):
        policy.tell([scored(HIGH, 1.0), scored(LOW, 0.0)])
    after = log_likelihoods(policy.agent, policy.tokenizer, batch).detach()
    gain = after - before
    assert gain[0] > 1.0 and gain[0] > gain[1] + 1.0
    assert len(policy.state_dict()["updates"]) == 5


def test_a_restored_agent_has_the_same_weights():
    policy = SmilesPolicy(PROBLEM)
    policy.tell([scored(HIGH, 0.9), scored(LOW, 0.1)])
    policy.tell([scored("CCOc1ccccc1", 0.7)])
    state = json.loads(json.dumps(policy.state_dict()))
    restored = SmilesPolicy(PROBLEM)
    restored.load_state_dict(state)
    for mine, theirs in zip(policy.agent.parameters(), restored.agent.parameters(), strict=True):
        assert torch.equal(mine, theirs)
    assert restored.best == policy.best


def test_told_molecules_are_not_proposed_again():
    policy = SmilesPolicy(PROBLEM)
    first = [p.content for p in policy.propose(context(0), 8)]
    policy.tell([scored(s, 0.5) for s in first])
    assert not set(first) & {p.content for p in policy.propose(context(0), 8)}


def test_the_mixture_draws_from_both_and_teaches_the_agent_everything():
    mixture = SmilesMixture(PROBLEM, policy_share=0.5)
    proposals = mixture.propose(context(0), 8)
    kinds = [p.proposer for p in proposals]
    assert kinds.count("smiles_policy") == 4 and kinds.count("graph_ga") == 4
    mixture.tell([scored(p.content, 0.5) for p in proposals])
    assert len(mixture.state_dict()["policy"]["updates"][0]) == 8


def test_bad_options_are_refused():
    with pytest.raises(ProposerConfigError, match="writes SMILES"):
        SmilesPolicy(Problem("p", "program", Objective("score")))
    with pytest.raises(ProposerConfigError, match="temperature"):
        SmilesPolicy(PROBLEM, temperature=0)
    with pytest.raises(CheckpointError, match="lacks config.json"):
        SmilesPolicy(PROBLEM, checkpoint="/nonexistent/policy")


def test_a_pmo_task_runs_with_the_policy_and_stores_its_updates(tmp_path):
    spec = load_task(TASKS / "qed.yaml")
    spec = spec.model_copy(
        update={
            "proposer": ProposerSpec(kind="smiles_policy"),
            "engine": spec.engine.model_copy(update={"batch_size": 20}),
            "evaluation": spec.evaluation.model_copy(update={"sandbox": False}),
        }
    )
    store = Store(sqlite_url(tmp_path / "store.db"))
    result = run_task(spec, store, tmp_path / "results", evaluations=40, seed=0)
    assert result.status == "finished" and result.evaluations == 40
    history = list(store.history(result.run_id))
    assert all(r.valid for r in history) and len({r.content for r in history}) == 40
    updates = store.get_run(result.run_id).engine_state["proposer"]["updates"]
    assert [len(batch) for batch in updates] == [20, 20]
    store.close()


def test_augmented_memory_learns_more_per_batch_and_resumes_exactly():
    """The agent samples any SMILES of a molecule, so the gain is measured over ten random
    writings of the high-scoring one that no update used (seeds 100-109)."""
    writings = [randomized(HIGH, 100 + i) for i in range(10)]
    gain = {}
    for rounds in (0, 2):
        policy = SmilesPolicy(PROBLEM, sigma=50.0, learning_rate=1e-3, augmentation_rounds=rounds)
        for _ in range(3):
            policy.tell([scored(HIGH, 1.0), scored(LOW, 0.0)])
        agent = log_likelihoods(policy.agent, policy.tokenizer, writings)
        prior = log_likelihoods(policy.prior, policy.tokenizer, writings)
        gain[rounds] = float((agent - prior).mean())
    assert gain[2] > 2 * gain[0] > 0
    resumed = SmilesPolicy(PROBLEM, sigma=50.0, learning_rate=1e-3, augmentation_rounds=2)
    resumed.load_state_dict(json.loads(json.dumps(policy.state_dict())))
    for a, b in zip(policy.agent.parameters(), resumed.agent.parameters(), strict=True):
        assert torch.equal(a, b)
