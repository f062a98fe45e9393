"""The 58 DOCKSTRING targets are found with their receptors and search boxes."""

from __future__ import annotations

import shutil

import pytest

from science.vina.errors import UnknownTargetError
from science.vina.targets import default_folder, load_target, parse_box, target_names


def test_all_58_dockstring_targets_have_a_receptor_and_a_box():
    names = target_names()
    assert len(names) == 58
    assert {"F2", "JAK2", "LCK", "PPARA", "PPARD", "PPARG", "PTGS2", "ABL1"} <= set(names)
    for name in names:
        target = load_target(name)
        assert target.receptor.read_text().lstrip().startswith(("ATOM", "REMARK", "HETATM"))
        assert all(10.0 <= side <= 40.0 for side in target.size), (name, target.size)
        assert all(-200.0 < c < 200.0 for c in target.center), (name, target.center)


def test_box_is_read_from_the_config_lines():
    f2 = load_target("F2")
    assert f2.center == (17.261, -11.957, 21.143)
    assert f2.size == (30.0, 30.0, 30.0)


def test_a_targets_folder_can_be_given(tmp_path):
    for suffix in ("_target.pdbqt", "_conf.txt"):
        shutil.copy(default_folder() / f"LCK{suffix}", tmp_path / f"LCK{suffix}")
    assert target_names(tmp_path) == ["LCK"]
    assert load_target("LCK", tmp_path).receptor.parent == tmp_path


def test_unknown_target_names_the_known_ones():
    with pytest.raises(UnknownTargetError, match="no target 'XYZ1'.*ABL1, ACHE"):
        load_target("XYZ1")


def test_box_file_without_sizes_is_refused(tmp_path):
    config = tmp_path / "X_conf.txt"
    config.write_text("center_x = 1\ncenter_y = 2\ncenter_z = 3\n")
    with pytest.raises(UnknownTargetError, match="no size_x, size_y, size_z line"):
        parse_box(config)
