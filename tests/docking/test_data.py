"""Reading complexes from the archives: splits, MOL2 fallback, test ids refused, cache."""

from __future__ import annotations

import pytest

from docking.data import SUBSET_INDEX, load_subset, read_subset_ids
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
