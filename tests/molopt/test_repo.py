"""RePO pieces: tokenizer, prompts, edit goals, rewards, TOMG-Bench metric, losses, generation."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import torch
from rdkit import Chem

from molopt.fingerprints import molecule_similarity
from molopt.molecules import parse_or_none
from molopt.oracles import logp, sa_score
from molopt.penalized_logp import ZINC_STATS, cycle_penalty, penalized_logp
from molopt.repo.batch import forward_logprobs, pack, token_logprobs
from molopt.repo.data import _edit_groups, load_openmolins
from molopt.repo.edits import EditGoal
from molopt.repo.evaluate import hgraph_scores, tomg_metrics
from molopt.repo.generate import generate
from molopt.repo.losses import group_advantages, repo_loss
from molopt.repo.model import ModelConfig, build_model
from molopt.repo.prompts import encode_answer, encode_prompt, find_source, prompt_tokens
from molopt.repo.rewards import edit_reward
from molopt.repo.tokenizer import Tokenizer, smiles_tokens

SMILES = [
    "CC(C)n1c(CNC(=O)c2ccc(Cl)cc2)n[nH]c1=S",
    "C[NH+](CC(=O)NC(C)(C)C)CC(=O)N1CCCCC1",
    "O=C(NCc1cc(=O)[nH]c2ccccc12)c1cc(F)ccc1[N+](=O)[O-]",
    "C/C=C/[C@@H](Br)C%12CC%12",
]


@pytest.mark.parametrize("smiles", SMILES)
def test_tokenizer_round_trip(smiles):
    instruction = f"Modify the molecule {smiles} to have a lower QED value."
    tokenizer = Tokenizer.build([prompt_tokens(instruction, smiles), smiles_tokens(smiles)])
    assert "".join(smiles_tokens(smiles)) == smiles
    assert tokenizer.decode_smiles(encode_answer(tokenizer, smiles)) == smiles
    prompt = encode_prompt(tokenizer, instruction, smiles)
    assert tokenizer.unk_id not in prompt
    assert tokenizer.decode_smiles(prompt[1:]) == smiles  # words are skipped, atoms kept
    restored = Tokenizer.from_state_dict(tokenizer.state_dict())
    assert restored.encode(prompt_tokens(instruction, smiles)) == prompt
    assert Tokenizer.build([["C"]]).encode(["Xx"]) == [Tokenizer.build([["C"]]).unk_id]


def test_find_source_and_edit_groups_of_openmolins_rows():
    text = "Please substitute a nitrile in the molecule COc1cccc2c(C)cc(SCC#N)nc12 with a halo."
    assert find_source(text) == "COc1cccc2c(C)cc(SCC#N)nc12"
    assert _edit_groups("SubComponent", text) == {"removed_group": "nitrile", "added_group": "halo"}
    assert _edit_groups("AddComponent", "Add a hydroxyl to the molecule CCc1ccccc1.") == {
        "added_group": "hydroxyl"
    }
    assert find_source("Make it better.") is None


QED_UP = EditGoal("QED", direction=1)
LOGP_UP = EditGoal("LogP", direction=1)
SOURCE = "CCOc1ccccc1"  # phenetole


def test_reward_table():
    sim_down = molecule_similarity(parse_or_none(SOURCE), parse_or_none("OCCOc1ccccc1"))
    sim_up = molecule_similarity(parse_or_none(SOURCE), parse_or_none("CCCOc1ccccc1"))
    assert edit_reward(SOURCE, "C1CC(", LOGP_UP) == 0.0  # invalid
    assert edit_reward(SOURCE, "", LOGP_UP) == 0.0
    assert edit_reward(SOURCE, "OCCOc1ccccc1", LOGP_UP) == pytest.approx(sim_down)  # wrong way
    assert edit_reward(SOURCE, "CCCOc1ccccc1", LOGP_UP) == pytest.approx(1.0 + sim_up)  # right way
    assert edit_reward(SOURCE, SOURCE, LOGP_UP) == pytest.approx(1.0)  # copy: no move, sim 1
    assert 0 < sim_down < 1 and 0 < sim_up < 1


def test_edit_goals_follow_tomg_group_counts():
    add = EditGoal("AddComponent", added="hydroxyl")
    sub = EditGoal("SubComponent", added="halo", removed="hydroxyl")
    assert edit_reward("c1ccccc1", "Oc1ccccc1", add) > 1.0
    assert edit_reward("c1ccccc1", "Oc1ccc(O)cc1", add) < 1.0  # two added, not one
    assert edit_reward("Oc1ccccc1", "Clc1ccccc1", sub) > 1.0
    assert edit_reward("Oc1ccccc1", "Clc1ccc(O)cc1", sub) < 1.0  # hydroxyl kept
    remove_ring = EditGoal("DelComponent", removed="benzene_ring")  # DelComponent's spelling
    assert edit_reward("c1ccccc1CCc1ccccc1", "C1CCCCC1CCc1ccccc1", remove_ring) > 1.0
    assert edit_reward("c1ccccc1CCc1ccccc1", "c1ccccc1CCCc1ccccc1", remove_ring) < 1.0


def test_tomg_metrics_on_a_hand_made_example():
    sources = [SOURCE, SOURCE, SOURCE, SOURCE]
    outputs = ["CCCOc1ccccc1", "not a molecule", "OCCOc1ccccc1", "CCCCOc1ccccc1"]
    goals = [LOGP_UP] * 4
    result = tomg_metrics(sources, outputs, goals)
    sims = [
        molecule_similarity(parse_or_none(SOURCE), parse_or_none(s)) for s in outputs if s[0] != "n"
    ]
    assert result["n"] == 4
    assert result["success_rate"] == pytest.approx(2 / 4)  # over all prompts
    assert result["validity"] == pytest.approx(3 / 4)
    assert result["similarity"] == pytest.approx(sum(sims) / 3)  # over valid answers only
    assert result["sr_x_sim"] == pytest.approx(0.5 * sum(sims) / 3)


def test_hgraph_scores_take_the_best_similar_candidate():
    source = "CCCCCCO"
    result = hgraph_scores("logp04", [source], [["CCCCCCC", "CCCCCCCl", "bad("]])
    mol = parse_or_none(source)
    gains = [
        penalized_logp(parse_or_none(s)) - penalized_logp(mol)
        for s in ("CCCCCCC", "CCCCCCCl")
        if molecule_similarity(mol, parse_or_none(s)) >= 0.4
    ]
    assert result["improvement_mean"] == pytest.approx(max([0.0, *gains]))
    assert hgraph_scores("qed", ["CCCCCCO"], [["CCCCCCO"]])["success_rate"] == 0.0


def test_penalized_logp_standard_form():
    ring8 = Chem.MolFromSmiles("C1CCCCCCC1CO")
    assert cycle_penalty(ring8) == 2
    assert cycle_penalty(Chem.MolFromSmiles("c1ccccc1")) == 0
    raw = logp(ring8) - sa_score(ring8) - 2
    assert penalized_logp(ring8, normalized=False) == pytest.approx(raw)
    (lm, ls), (sm, ss), (cm, cs) = ZINC_STATS.values()
    expected = (logp(ring8) - lm) / ls + (-sa_score(ring8) - sm) / ss + (-2 - cm) / cs
    assert penalized_logp(ring8) == pytest.approx(expected)


def _toy_batch(beta: float):
    torch.manual_seed(0)
    prompts = [[1, 5, 6, 7, 2], [1, 6, 7, 2]]  # <bos> ... <sep>
    answers = [[8, 9, 3], [9, 3]]
    packed = pack([p + a for p, a in zip(prompts, answers, strict=True)], [5, 4], pad_id=0)
    logits = torch.randn(2, packed.input_ids.shape[1], 12, requires_grad=True)
    logp = token_logprobs(logits, packed.input_ids)
    advantages = torch.tensor([1.0, -1.0])
    loss = repo_loss(logp, packed.answer_mask, advantages, logp, packed.answer_mask, beta)
    loss.backward()
    return packed, logits.grad


def test_repo_gradient_is_zero_on_prompt_tokens_and_beta_changes_it():
    packed, grad = _toy_batch(beta=0.5)
    # logits at column t predict token t + 1: they get gradient only when t + 1 is an answer token
    predicts_answer = torch.zeros_like(packed.input_ids, dtype=torch.bool)
    predicts_answer[:, :-1] = packed.answer_mask
    assert torch.all(grad[~predicts_answer] == 0)
    assert torch.all(grad[predicts_answer].abs().sum(-1) > 0)
    _, grad_grpo = _toy_batch(beta=0.0)
    assert not torch.allclose(grad, grad_grpo)
    assert torch.all(grad_grpo[~predicts_answer] == 0)


def test_group_advantages_are_standardised_per_group():
    adv = group_advantages(torch.tensor([0.0, 1.0, 2.0, 5.0, 5.0, 5.0]), group_size=3)
    assert adv[:3].mean().item() == pytest.approx(0.0, abs=1e-6)
    assert adv[:3].std(unbiased=False).item() == pytest.approx(1.0, abs=1e-3)
    assert torch.all(adv[3:] == 0)


def test_cached_generation_matches_full_recompute_with_left_padding():
    tokenizer = Tokenizer.build([smiles_tokens(s) for s in SMILES])
    torch.manual_seed(1)
    model = build_model(ModelConfig(n_layer=1, n_head=2, n_embd=16, n_positions=64), tokenizer)
    model.eval()
    prompts = [
        [tokenizer.bos_id, 6, 7, 8, tokenizer.sep_id],
        [tokenizer.bos_id, 9, tokenizer.sep_id],
    ]
    answers = generate(model, tokenizer, prompts, max_new_tokens=8)
    for prompt, answer in zip(prompts, answers, strict=True):
        sequence = list(prompt)
        for _ in range(8):
            token = int(model(input_ids=torch.tensor([sequence])).logits[0, -1].argmax())
            if token == tokenizer.eos_id:
                break
            sequence.append(token)
        assert answer == sequence[len(prompt) :]
    packed = pack([p + a for p, a in zip(prompts, answers, strict=True)], [5, 3], tokenizer.pad_id)
    assert math.isfinite(float(forward_logprobs(model, packed).detach().sum()))


def test_openmolins_loader_drops_held_out_molecules():
    rows = Path(__file__).resolve().parents[2] / "molopt" / "configs" / "openmolins_tiny.csv"
    tasks = ("QED", "LogP", "MR", "AddComponent", "DelComponent", "SubComponent")
    everything = load_openmolins(rows, tasks, exclude=set())
    held_out = {everything[0].source, everything[1].answer}
    kept = load_openmolins(rows, tasks, exclude=held_out)
    assert len(everything) == 240 and len(kept) == 238
    assert not {e.source for e in kept} & held_out and not {e.answer for e in kept} & held_out
    assert {e.goal.task for e in kept} == set(tasks)
