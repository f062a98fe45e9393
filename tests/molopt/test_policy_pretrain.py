"""Pretraining the SMILES policy: corpus building (test molecules out) and a few steps of
training that lower the loss, on a tiny model and a tiny data folder."""

import json

import pytest

from molopt.policy.config import PretrainConfig, Source, load_config
from molopt.policy.data import HGRAPH_TESTS, TOMG_TESTS, build_corpus, read_smiles
from molopt.policy.errors import PretrainConfigError
from molopt.policy.likelihood import encode_batch, mean_token_loss
from molopt.policy.model import ModelSize, build_model, load_checkpoint
from molopt.policy.pretrain import learning_rate, pretrain
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
    data = tmp_path / "data"
    write(data / "mols.txt", DRUGS * 3)
    for test_file in TOMG_TESTS:
        write(data / test_file, ["index,molecule", "1,CCCC"])
    for test_file in HGRAPH_TESTS:
        write(data / test_file, ["CCCC"])
    config = PretrainConfig(
        out_dir=str(tmp_path / "ckpt"),
        sources=(Source("mols.txt"),),
        model=ModelSize(layers=1, width=32, heads=2, max_tokens=48, dropout=0.0),
        threads=1,
        steps=40,
        batch_size=8,
        learning_rate=3e-3,
        warmup_steps=5,
        valid_size=2,
        eval_every=20,
        sample_check=8,
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
