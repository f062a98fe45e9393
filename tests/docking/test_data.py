"""Reading complexes from the archives and pose folders: splits, MOL2 fallback, test ids and
test ligands refused, cache."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import torch
from rdkit import Chem

from docking.errors import DockingConfigError
from docking.training.data import (
    SUBSET_INDEX,
    held_out_ligand_keys,
    ligand_key,
    load_extra,
    load_pose_folder,
    load_subset,
    read_subset_ids,
)


def test_subset_ids_follow_the_time_split(mini_data_folder):
    ids = read_subset_ids(mini_data_folder / SUBSET_INDEX)
    assert ids.train == ("6ce6",)
    assert ids.validation == ("5i7x",)
    assert ids.test == ("6qqq",)


def test_loading_test_ids_is_refused(mini_data_folder, tmp_path):
    with pytest.raises(DockingConfigError, match="6qqq"):
        load_subset(mini_data_folder, ["6ce6", "6qqq"], tmp_path / "cache")


def test_complexes_come_from_the_archive_and_are_cached(mini_data_folder, tmp_path):
    cache = tmp_path / "cache"
    complexes = load_subset(mini_data_folder, ["5i7x", "6ce6"], cache)
    assert [c.name for c in complexes] == ["5i7x", "6ce6"]
    assert complexes[0]["ligand"].num_nodes == 22  # read from the MOL2 fallback
    assert len(list(cache.glob("*.pt"))) == 1
    again = load_subset(mini_data_folder, ["5i7x", "6ce6"], cache)
    assert [type(c) for c in again] == [type(c) for c in complexes]
    for first, second in zip(complexes, again, strict=True):
        assert first.name == second.name
        assert first.node_types == second.node_types and first.edge_types == second.edge_types
        for store, stored in zip(first.stores, second.stores, strict=True):
            assert sorted(store.keys()) == sorted(stored.keys())
            for key, value in store.items():
                same = value == stored[key]
                assert same.all() if hasattr(same, "all") else same, key


def test_a_cache_file_is_never_unpickled(mini_data_folder, tmp_path):
    """A planted pickle in the cache is refused (weights_only) and the complexes are rebuilt."""
    cache = tmp_path / "cache"
    load_subset(mini_data_folder, ["5i7x"], cache)
    [path] = cache.glob("*.pt")
    marker = tmp_path / "payload-ran"
    torch.save(Payload(marker), path)
    again = load_subset(mini_data_folder, ["5i7x"], cache)
    assert [c.name for c in again] == ["5i7x"]
    assert not marker.exists()


class Payload:
    """Unpickling this would create `marker`."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


def test_extra_source_skips_unsanitizable_ligands(mini_data_folder, tmp_path):
    complexes = load_extra(mini_data_folder, "small_example_sets", tmp_path / "cache")
    assert [c.name for c in complexes] == ["x/6ce6"]
    assert complexes[0]["ligand"].num_nodes == 22


def test_extra_source_naming_a_test_id_is_refused(mini_data_folder, tmp_path):
    index = mini_data_folder / "docking/train_extra/small_example_sets_index.csv"
    index.write_text(index.read_text().replace(",1abc,", ",6d08,"))
    with pytest.raises(DockingConfigError, match="6d08"):
        load_extra(mini_data_folder, "small_example_sets", tmp_path / "cache")


def test_unknown_extra_source_lists_the_known_ones(mini_data_folder, tmp_path):
    with pytest.raises(DockingConfigError, match="gign_toy_set"):
        load_extra(mini_data_folder, "nope", tmp_path / "cache")


STAGED = Path(__file__).resolve().parents[2].parent / "shared" / "data"


def test_held_out_ligands_are_the_test_sets_ligands(mini_data_folder):
    keys = held_out_ligand_keys(mini_data_folder)
    aspirin, triethylamine = "BSYNRYMUTXBXSQ", "ZMANZCXQSJIPKH"
    assert keys == {aspirin, triethylamine}  # FABFlex test ligand and the subset's test id


@pytest.mark.skipif(not STAGED.is_dir(), reason="staged shared data not present")
def test_held_out_ligands_of_the_staged_data():
    keys = held_out_ligand_keys(STAGED)
    assert len(keys) == 288  # 303 FABFlex + 11 subset test ligands, 288 distinct
    assert ligand_key(Chem.MolFromSmiles("CC(=O)Oc1ccccc1C(=O)O")) not in keys


def test_a_pose_folder_loads_as_training_data(mini_data_folder, data_dir, tmp_path):
    complexes = load_pose_folder(data_dir / "vina_poses", mini_data_folder, tmp_path / "cache")
    assert [c.name for c in complexes] == [
        "vina_poses/ABL1/RZVAJINKPMORJF-UHFFFAOYSA-N",
        "vina_poses/ABL1/LMYRWZFENFIFIT-UHFFFAOYSA-N",
    ]  # the failed row of the index is not a complex
    paracetamol = complexes[0]
    assert paracetamol["ligand"].num_nodes == 11 and paracetamol["residue"].num_nodes == 76
    assert paracetamol["residue"].y.sum() > 0  # pocket residues labelled around the pose
    start, pose = paracetamol["ligand"].pos, paracetamol["ligand"].pos_true
    assert (start - pose).norm(dim=-1).mean() > 1.0  # training starts from ETKDG, not the pose


def test_a_pose_folder_holding_a_test_ligand_is_refused(mini_data_folder, data_dir, tmp_path):
    folder = tmp_path / "poses"
    shutil.copytree(data_dir / "vina_poses", folder)
    index = (folder / "index.csv").read_text()
    (folder / "index.csv").write_text(index.replace("RZVAJINKPMORJF", "BSYNRYMUTXBXSQ"))
    with pytest.raises(DockingConfigError, match="1 poses are of time-split test ligands"):
        load_pose_folder(folder, mini_data_folder, tmp_path / "cache")


def test_a_pose_folder_without_poses_is_refused(mini_data_folder, tmp_path):
    with pytest.raises(DockingConfigError, match="make-poses"):
        load_pose_folder(tmp_path, mini_data_folder, tmp_path / "cache")
