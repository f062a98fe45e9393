"""A local causal LM with a LoRA adapter as a TTT policy and as the proposer of a program task
(a tiny random GPT-2 from a config: plumbing, not a benchmark)."""

from __future__ import annotations

import shutil

import pytest
import torch
import yaml

from discovery.runner import run_task
from discovery.spec import load_task
from evolve.errors import ProposerConfigError
from evolve.problem import Objective, Problem
from evolve.proposers.local_lm import LocalLMProposer
from evolve.ttt.causal_lm import CausalLMPolicy, LoraOptions, load_local_lm
from evolve.ttt.policy import Group, TTTConfig, TTTLearner
from memory import Store
from memory.store import sqlite_url
from tests.fixtures.tiny_lm import write_tiny_lm
from tests.tasks.conftest import TASKS

pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture(scope="module")
def tiny_lm(tmp_path_factory):
    return str(write_tiny_lm(tmp_path_factory.mktemp("tiny-lm")))


@pytest.fixture
def one_torch_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def test_only_the_adapter_trains_and_the_base_is_the_adapter_switched_off(tiny_lm):
    model, tokenizer = load_local_lm(tiny_lm, "cpu", LoraOptions(r=4))
    policy = CausalLMPolicy(model, tokenizer, max_new_tokens=6)
    trainable = list(policy.parameters())
    assert trainable and all("lora" in n for n, p in model.named_parameters() if p.requires_grad)
    actions = policy.sample("hello", 3, torch.Generator().manual_seed(0))
    base = policy.frozen_copy()
    # a fresh adapter (B = 0) changes nothing: the policy equals its base
    assert torch.allclose(policy.log_probs("hello", actions), base.log_probs("hello", actions))


def test_learning_raises_the_reward_of_the_replies(tiny_lm):
    """Reward: how many lowercase letters a reply holds. The adapter learns to write more."""
    model, tokenizer = load_local_lm(tiny_lm, "cpu", LoraOptions(r=8, alpha=32))
    policy = CausalLMPolicy(model, tokenizer, max_new_tokens=6)
    learner = TTTLearner(policy, TTTConfig(enabled=True, group_size=8, lr=0.01))
    generator = torch.Generator().manual_seed(0)
    for _ in range(30):
        actions = policy.sample("write:", 8, generator)
        rewards = tuple(float(sum(c.islower() for c in policy.text(a))) for a in actions)
        learner.update([Group("write:", tuple(actions), rewards)])
    first = sum(p["mean_reward"] for p in learner.curve[:10]) / 10
    last = sum(p["mean_reward"] for p in learner.curve[-10:]) / 10
    assert last > first + 0.4


def test_a_program_task_runs_end_to_end_with_the_tiny_model(tmp_path, tiny_lm):
    folder = tmp_path / "task"
    shutil.copytree(TASKS / "circle_packing_program", folder)
    task = yaml.safe_load((folder / "task.yaml").read_text())
    task["budget"] = {"evaluations": 6}
    task["engine"] = {"islands": 1, "batch_size": 4, "max_stale_generations": 2}
    task["proposer"] = {
        "kind": "evolve.proposers.local_lm:LocalLMProposer",
        "model": tiny_lm,
        "max_new_tokens": 16,
        "lora": {"r": 4},
        "ttt": {"enabled": True, "group_size": 4},
    }
    (folder / "task.yaml").write_text(yaml.safe_dump(task))
    store = Store(sqlite_url(tmp_path / "store.db"))
    result = run_task(load_task(folder / "task.yaml"), store, tmp_path / "results")
    assert result.status == "finished"
    state = store.get_run(result.run_id).engine_state["proposer"]
    assert len(state["groups"]) == len(state["curve"]) >= 1
    assert all(len(g["actions"]) == 4 for groups in state["groups"] for g in groups)
    store.close()


def test_resume_replays_the_updates_to_the_same_adapter(tiny_lm):
    problem = Problem("t", "text", Objective("score"), "write a")
    options = {"model": tiny_lm, "max_new_tokens": 6, "lora": {"r": 4}}
    proposer = LocalLMProposer(problem, **options, ttt={"enabled": True, "group_size": 4})
    state = "write a:"
    actions = proposer.policy.sample(state, 4, torch.Generator().manual_seed(1))
    groups = [{"state": state, "actions": actions, "contents": [None] * 4, "rewards": [0, 1, 2, 3]}]
    proposer.past.learn(groups)
    resumed = LocalLMProposer(problem, **options, ttt={"enabled": True, "group_size": 4})
    resumed.load_state_dict(proposer.state_dict())
    for a, b in zip(proposer.policy.parameters(), resumed.policy.parameters(), strict=True):
        assert torch.equal(a, b)


def test_bad_options_are_clear(tiny_lm, tmp_path):
    problem = Problem("t", "vector", Objective("score"))
    with pytest.raises(ProposerConfigError, match="programs or texts"):
        LocalLMProposer(problem, model=tiny_lm)
    text = Problem("t", "text", Objective("score"))
    with pytest.raises(ProposerConfigError, match="needs `model`"):
        LocalLMProposer(text)
    with pytest.raises(ProposerConfigError, match="cannot load"):
        LocalLMProposer(text, model=str(tmp_path / "missing"))
    with pytest.raises(ProposerConfigError, match="group_size"):
        LocalLMProposer(text, model=tiny_lm, ttt={"enabled": True, "group_size": 1})
