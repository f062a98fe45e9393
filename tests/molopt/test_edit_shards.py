"""Sample shards: plain arrays and JSON round-trip exactly; a planted pickle is refused."""

import os
import pickle

import numpy as np
import pytest

from molopt.edit.dataset import load_shards, make_sample, shard_paths
from molopt.edit.shards import ShardError, read_shard, write_shard
from molopt.repo.edits import EditGoal


@pytest.fixture(scope="module")
def samples():
    made = [make_sample(s) for s in ("CC(=O)Nc1ccc(O)cc1", "OC(=O)c1ccccc1Cl")]
    made[0].references.append((EditGoal("AddComponent", added="hydroxyl"), 3))
    return made


def test_a_shard_round_trips_every_array_and_reference(samples, tmp_path):
    path = tmp_path / "shard_z00000.npz"
    write_shard(path, samples)
    loaded = read_shard(path)
    assert [s.source for s in loaded] == [s.source for s in samples]
    assert [s.edits for s in loaded] == [s.edits for s in samples]
    assert loaded[0].references == [(EditGoal("AddComponent", added="hydroxyl"), 3)]
    for before, after in zip(samples, loaded, strict=True):
        for part in ("features", "labels"):
            for name, value in vars(getattr(before, part)).items():
                np.testing.assert_array_equal(getattr(getattr(after, part), name), value)
    assert not list(tmp_path.glob("*.part"))


class Payload:
    """Unpickling this would run os.system: a read that executes it fails the test."""

    def __reduce__(self):
        return (os.system, ("touch planted_pickle_ran",))


def test_a_planted_pickle_is_refused_and_never_run(samples, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    planted = tmp_path / "shard_z00001.npz"
    planted.write_bytes(pickle.dumps([Payload()]))
    with pytest.raises(ShardError, match="not a plain-array sample shard"):
        read_shard(planted)
    np.savez(planted, meta=np.array([Payload()], dtype=object))  # an object array in an npz
    with pytest.raises(ShardError, match="not a plain-array sample shard"):
        read_shard(planted)
    assert not (tmp_path / "planted_pickle_ran").exists()


def test_a_pickled_shard_of_an_older_build_is_named_and_refused(samples, tmp_path):
    write_shard(tmp_path / "shard_z00000.npz", samples)
    (tmp_path / "shard_o00000.pkl").write_bytes(pickle.dumps(samples))
    with pytest.raises(ShardError, match=r"shard_o00000\.pkl"):
        load_shards(shard_paths(tmp_path))
    (tmp_path / "shard_o00000.pkl").unlink()
    assert len(load_shards(shard_paths(tmp_path))) == 2
