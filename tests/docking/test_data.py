"""Reading complexes from the archives: splits, MOL2 fallback, test ids refused, cache."""

from __future__ import annotations

import pytest

from docking.data import SUBSET_INDEX, load_extra, load_subset, read_subset_ids
from docking.errors import DockingConfigError


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
    assert (again[1]["ligand"].pos == complexes[1]["ligand"].pos).all()


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
