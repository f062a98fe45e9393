"""Pretraining the SMILES policy: corpus building (test molecules out) and a few steps of
training that lower the loss, on a tiny model and a tiny data folder."""

import dataclasses
import json

import pytest
import torch

from molopt.policy.config import PretrainConfig, Source, load_config
from molopt.policy.data import HGRAPH_TESTS, TOMG_TESTS, build_corpus, molecule_key, read_smiles
from molopt.policy.errors import CheckpointError, PretrainConfigError
from molopt.policy.likelihood import encode_batch, mean_token_loss
from molopt.policy.model import ModelSize, build_model, load_checkpoint
from molopt.policy.pretrain import (
    augmented,
    corpus_for,
    initial_model,
    learning_rate,
    pretrain,
    train,
)
from molopt.policy.resume import load_state
from molopt.policy.tokenizer import SmilesTokenizer

pytestmark = pytest.mark.usefixtures("one_torch_thread")

DRUGS = [
    "CC(=O)Oc1ccccc1C(=O)O",
    "CC(=O)Nc1ccc(O)cc1",
    "CN1C=NC2=C1C(=O)N(C)C(=O)N2C",
    "CC(C)Cc1ccc(C(C)C(=O)O)cc1",
    "COc1ccc2[nH]cc(CCN)c2c1",
    "OC(=O)c1ccccc1O",
    "Clc1ccc(cc1)C(c1ccccc1)N1CCNCC1",
    "CCN(CC)CC(=O)Nc1c(C)cccc1C",
    "c1ccc2ccccc2c1",
    "CCOC(=O)c1ccc(N)cc1",
]


def write(path, lines):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")
    return path


def test_corpus_drops_test_molecules_in_any_spelling_and_holds_out_a_split(tmp_path):
    source = write(tmp_path / "mols.txt", [*DRUGS, "CC[NH3+]", "CCO.O", "not a smiles"])
    test_set = write(tmp_path / "test.txt", ["OC(=O)c1ccccc1O", "CCN"])  # CCN = CC[NH3+]
    corpus = build_corpus([(source, None)], [test_set], valid_size=2, max_tokens=64)
    kept = set(corpus.train) | set(corpus.valid)
    assert "O=C(O)c1ccccc1O" not in kept and "CCN" not in kept
    assert corpus.counts["test_set"] == 2 and corpus.counts["invalid"] == 2
    assert len(corpus.valid) == 2 and not set(corpus.valid) & set(corpus.train)
    assert len(kept) == len(DRUGS) - 1


def test_csv_sources_are_read_by_their_smiles_column(tmp_path):
    path = tmp_path / "mols.csv"
    path.write_text("index,smiles,qed\n1,CCO,0.4\n2,c1ccccc1,0.4\n")
    assert read_smiles(path) == ["CCO", "c1ccccc1"]


def test_config_rejects_unknown_keys(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("out_dir: x\nsources: [{path: a.txt}]\nlearning_rat: 0.1\n")
    with pytest.raises(PretrainConfigError, match="learning_rat"):
        load_config(path)


def test_learning_rate_warms_up_then_decays():
    config = PretrainConfig(out_dir="x", sources=(), steps=100, warmup_steps=10)
    rates = [learning_rate(step, config) for step in range(100)]
    assert rates[0] < rates[9] == pytest.approx(config.learning_rate)
    assert rates[99] < rates[50] < rates[10]


def test_a_tiny_model_learns_and_its_checkpoint_reloads(tmp_path):
    data = _tiny_data(tmp_path)
    config = _tiny_config(
        tmp_path, "ckpt", steps=40, batch_size=8, warmup_steps=5, eval_every=20, sample_check=8
    )
    report = pretrain(config, data)
    assert report["data"]["test_set"] == 0 and report["data"]["excluded_test_molecules"] == 1
    model, tokenizer = load_checkpoint(tmp_path / "ckpt")
    ids, mask = encode_batch(tokenizer, DRUGS)
    fresh = build_model(SmilesTokenizer(tokenizer.tokens), config.model)
    assert float(mean_token_loss(model, ids, mask)) < float(mean_token_loss(fresh, ids, mask)) - 0.5
    saved = json.loads((tmp_path / "ckpt" / "training.json").read_text())
    assert saved["steps"] == 40 and saved["samples"]["sampled"] == 8


def test_presets_load_by_name_from_any_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # not the repository: the presets come from the package
    config = load_config("cpu_small", steps=7)
    assert config.steps == 7 and config.sources
    with pytest.raises(PretrainConfigError, match="cpu_small"):
        load_config("cpu_huge")


def _tiny_data(tmp_path):
    """A data folder: 30 drug SMILES to train on, and TOMG / hgraph test files holding one
    molecule that training must exclude."""
    data = tmp_path / "data"
    write(data / "mols.txt", DRUGS * 3)
    for test_file in TOMG_TESTS:
        write(data / test_file, ["index,molecule", "1,CCCC"])
    for test_file in HGRAPH_TESTS:
        write(data / test_file, ["CCCC"])
    return data


def _tiny_config(tmp_path, out: str, **settings) -> PretrainConfig:
    """A one-layer, 32-wide model on `_tiny_data`'s molecules, one thread."""
    return PretrainConfig(
        out_dir=str(tmp_path / out),
        sources=(Source("mols.txt"),),
        model=ModelSize(layers=1, width=32, heads=2, max_tokens=48, dropout=0.0),
        threads=1,
        learning_rate=3e-3,
        valid_size=2,
        **settings,
    )


def _tiny_run(tmp_path, out: str, **changes) -> tuple:
    data = _tiny_data(tmp_path)
    settings = {"steps": 12, "batch_size": 4, "warmup_steps": 2, "eval_every": 5}
    settings |= {"checkpoint_minutes": 0, "randomized_share": 0.5}
    config = _tiny_config(tmp_path, out, **(settings | changes))
    return config, corpus_for(config, data)


def _fresh(config, corpus):
    torch.manual_seed(0)
    return initial_model(config, corpus)


def test_a_stopped_and_resumed_run_ends_with_the_weights_of_an_uninterrupted_one(tmp_path):
    config, corpus = _tiny_run(tmp_path, "straight")
    straight, tokenizer = _fresh(config, corpus)
    train(straight, tokenizer, corpus, config)

    config, corpus = _tiny_run(tmp_path, "stopped")
    first, tokenizer = _fresh(config, corpus)
    assert train(first, tokenizer, corpus, config, until=7)["steps"] == 7
    saved = load_state(tmp_path / "stopped", config)
    assert saved["state"].step == 7 and saved["state"].position > 0
    second, tokenizer = _fresh(config, corpus)  # a new process: fresh weights, then the file
    report = train(second, tokenizer, corpus, config, resumed=saved)

    assert report["steps"] == 12 and [row["step"] for row in report["history"]] == [5, 7, 10, 12]
    for name, weight in straight.state_dict().items():
        assert torch.equal(weight, second.state_dict()[name]), name


def test_resume_refuses_a_state_written_with_other_data_settings(tmp_path):
    config, corpus = _tiny_run(tmp_path, "run")
    model, tokenizer = _fresh(config, corpus)
    train(model, tokenizer, corpus, config, until=2)
    other = dataclasses.replace(config, batch_size=8)
    with pytest.raises(CheckpointError, match="other data or model settings"):
        load_state(tmp_path / "run", other)


def test_training_can_start_from_a_checkpoint_and_randomize_spellings(tmp_path):
    config, corpus = _tiny_run(tmp_path, "base")
    model, tokenizer = _fresh(config, corpus)
    train(model, tokenizer, corpus, config)
    continued, _ = _tiny_run(tmp_path, "continued", init_from=str(tmp_path / "base"))
    start, same_vocab = initial_model(continued, corpus)
    assert same_vocab.tokens == tokenizer.tokens
    for name, weight in model.state_dict().items():
        assert torch.equal(weight, start.state_dict()[name]), name
    batch = augmented(corpus.train, tokenizer, 1.0, 48, seed=3)
    assert batch != corpus.train  # respelled ...
    assert [molecule_key(s) for s in batch] == [molecule_key(s) for s in corpus.train]  # same mols
    assert augmented(corpus.train, tokenizer, 1.0, 48, seed=3) == batch  # seeded
