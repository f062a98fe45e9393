"""The edit policy: features, scorer, SFT / GRPO / RePO losses, training and resuming."""

import random

import numpy as np
import pytest
import torch
from rdkit import Chem

from molopt.edit.dataset import make_sample
from molopt.edit.features import task_vector
from molopt.edit.goals import Pair, best_edit, draw_pairs
from molopt.edit.labels import goal_columns, label_edits, most_similar_success
from molopt.edit.model import EditScorer, collate, load_scorer, padded_log_probs
from molopt.edit.shards import write_shard
from molopt.edit.space import enumerate_edits
from molopt.edit.train import (
    TrainSettings,
    grpo_loss,
    sft_loss,
    train,
    validate,
    validation_pairs,
)
from molopt.fingerprints import molecule_similarity
from molopt.repo.edits import EditGoal, achieved

SOURCES = ("CCOc1ccccc1", "CC(=O)Nc1ccc(O)cc1", "OC(=O)c1ccccc1Cl", "CCN(CC)CCO")


@pytest.fixture(scope="module")
def samples():
    return [make_sample(s) for s in SOURCES]


def test_labels_agree_with_tomg_rule_and_similarity(samples):
    sample = samples[2]
    source = Chem.MolFromSmiles(sample.source)
    for goal in (EditGoal("LogP", direction=-1), EditGoal("DelComponent", removed="halo")):
        success = sample.labels.success(goal)
        for smiles, ok, sim in zip(sample.edits, success, sample.labels.similarity, strict=True):
            product = Chem.MolFromSmiles(smiles)
            assert achieved(source, product, goal) == ok
            assert sim == pytest.approx(molecule_similarity(source, product))


def test_best_edit_is_the_most_similar_success(samples):
    labels = samples[1].labels
    goal = EditGoal("QED", direction=1)
    best = best_edit(labels, goal)
    reward = labels.success(goal) * labels.similarity
    assert reward[best] == reward.max() > 0


@pytest.mark.parametrize(
    "goal",
    [
        EditGoal("QED", direction=1),
        EditGoal("LogP", direction=-1),
        EditGoal("AddComponent", added="hydroxyl"),
        EditGoal("SubComponent", added="amine", removed="hydroxyl"),
    ],
)
def test_the_lazy_oracle_answers_as_labelling_every_edit(samples, goal):
    for sample in samples:
        source = Chem.MolFromSmiles(sample.source)
        edits = enumerate_edits(source)
        full = label_edits(source, edits, *goal_columns(goal))
        lazy, sims = most_similar_success(source, edits, goal)
        np.testing.assert_allclose(sims, full.similarity)
        success = full.success(goal)
        if not success.any():
            assert lazy is None
            continue
        reward = np.where(success, full.similarity, -1.0)
        assert lazy == int(np.argmax(reward))  # the first of the most similar successes


def test_scores_do_not_depend_on_the_rest_of_the_batch(samples, one_torch_thread):
    model = EditScorer().eval()
    goal = task_vector(EditGoal("QED", direction=1))
    alone = model(collate([(samples[0].features, goal)]))
    together = model(collate([(samples[1].features, goal), (samples[0].features, goal)]))
    assert torch.allclose(alone, together[len(samples[1].edits) :], atol=1e-6)


def test_log_probs_are_a_distribution_over_each_sources_edits(samples):
    model = EditScorer()
    items = [(s.features, task_vector(EditGoal("MR", direction=-1))) for s in samples[:2]]
    batch = collate(items)
    log_probs = padded_log_probs(model(batch), batch)
    assert torch.allclose(log_probs.exp().sum(dim=1), torch.ones(2))
    n = min(len(s.edits) for s in samples[:2])
    short = 0 if len(samples[0].edits) == n else 1
    assert torch.isinf(log_probs[short, n:]).all()


def test_grpo_raises_the_probability_of_above_average_edits(samples):
    torch.manual_seed(0)
    model = EditScorer()
    pair = Pair(1, EditGoal("AddComponent", added="halo"), None)
    reward = samples[1].labels.reward(pair.goal)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
    batch = collate([(samples[1].features, task_vector(pair.goal))])
    before = padded_log_probs(model(batch), batch)[0].exp()
    for step in range(8):
        log_probs = padded_log_probs(model(batch), batch)
        loss, _ = grpo_loss(log_probs, [pair], samples, 16, torch.Generator().manual_seed(step))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    after = padded_log_probs(model(batch), batch)[0].exp()
    expected = lambda p: float((p.detach().numpy() * reward).sum())  # noqa: E731
    assert expected(after) > expected(before)


def test_grpo_has_no_gradient_when_every_reward_is_equal(samples):
    model = EditScorer()
    pair = Pair(0, EditGoal("DelComponent", removed="nitro"), None)  # nothing to remove: all 0
    batch = collate([(samples[0].features, task_vector(pair.goal))])
    loss, reward = grpo_loss(
        padded_log_probs(model(batch), batch), [pair], samples, 8, torch.Generator()
    )
    assert reward == 0.0 and loss.item() == 0.0


def test_sft_loss_skips_pairs_without_a_reference(samples):
    log_probs = torch.log_softmax(torch.zeros(2, 4), dim=1)
    pairs = [Pair(0, EditGoal("QED", direction=1), 3), Pair(0, EditGoal("QED", direction=1), None)]
    assert float(sft_loss(log_probs, pairs)) == pytest.approx(np.log(4))


def test_pairs_cover_every_subtask(samples):
    pairs = draw_pairs(samples, [0, 1, 2, 3], 300, random.Random(0), reference_share=0.0)
    assert {p.goal.task for p in pairs} == {
        "QED",
        "LogP",
        "MR",
        "AddComponent",
        "DelComponent",
        "SubComponent",
    }


@pytest.mark.parametrize("variant", ["sft", "repo"])
def test_training_improves_validation_and_resumes(samples, tmp_path, variant, one_torch_thread):
    data = tmp_path / "data"
    data.mkdir()
    shard = [samples[0], *samples]  # the copy at 0 validates, its twin trains: a fit check
    write_shard(data / "shard_00001.npz", shard)
    settings = TrainSettings(
        variant=variant,
        data_dir=data,
        out_dir=tmp_path / "run",
        steps=20,
        batch_size=8,
        valid_every_nth=1_000_000,  # only the first molecule validates
        valid_pairs=40,
        validate_every=10,
        learning_rate=1e-2,
    )
    torch.manual_seed(0)
    untrained = validate(EditScorer(), shard, validation_pairs(shard, [0], 40))["mean"]
    state = train(settings)
    assert state["step"] == 20 and len(state["history"]) == 2
    settings.steps = 40
    resumed = train(settings)
    assert resumed["step"] == 40 and len(resumed["history"]) == 4
    assert resumed["best"]["mean"] > untrained
    model, saved = load_scorer(tmp_path / "run" / "best.pt")
    assert saved["variant"] == variant and saved["step"] == resumed["best"]["step"]


def test_a_reference_answer_one_edit_away_becomes_a_reference_edit():
    from molopt.edit.dataset import with_references

    goal = EditGoal("AddComponent", added="hydroxyl")
    answer = Chem.MolToSmiles(Chem.MolFromSmiles("CCOc1ccc(O)cc1"))
    far = Chem.MolToSmiles(Chem.MolFromSmiles("OCCOc1ccc(O)cc1O"))
    sample = with_references("CCOc1ccccc1", [(goal, answer), (goal, far)])
    assert sample.references == [(goal, sample.edits.index(answer))]


def test_a_run_stopped_by_its_minutes_is_validated_at_its_last_step(samples, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    write_shard(data / "shard_00001.npz", [samples[0], *samples])
    settings = TrainSettings(
        variant="sft",
        data_dir=data,
        out_dir=tmp_path / "run",
        steps=50,
        batch_size=4,
        valid_every_nth=1_000_000,
        valid_pairs=12,
        validate_every=10,
        max_minutes=0.0,  # stops after its first step, between validations
    )
    state = train(settings)
    assert state["step"] == 1 and [h["step"] for h in state["history"]] == [1]
    assert load_scorer(tmp_path / "run" / "best.pt")[1]["step"] == 1
