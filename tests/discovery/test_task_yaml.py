"""Task files are read with bounded size and bounded alias expansion (no YAML bombs)."""

import pytest
import yaml

from discovery.errors import TaskSpecError
from discovery.spec import load_task
from discovery.task_yaml import MAX_TASK_BYTES, expanded_weight, read_task_yaml
from discovery.testing import write_task

# 412 bytes that a plain safe_load expands into 10^9 list items (nine levels of ten).
ALIAS_BOMB = "\n".join(
    ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    + [f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]" for i in range(8)]
)


def test_alias_bomb_is_refused_without_being_expanded(tmp_path):
    path = tmp_path / "task.yaml"
    path.write_text(ALIAS_BOMB + "\nname: bomb\n")
    with pytest.raises(TaskSpecError, match="aliases expand past"):
        load_task(path)


def test_recursive_alias_is_refused(tmp_path):
    path = tmp_path / "task.yaml"
    path.write_text("name: &a [x, *a]\n")
    with pytest.raises(TaskSpecError, match="recursive alias"):
        read_task_yaml(path)


def test_a_few_aliases_are_still_fine(tmp_path):
    path = write_task(tmp_path)
    path.write_text(path.read_text() + "params: &p {target: 0.3}\ndescription: ok\n")
    assert read_task_yaml(path)["params"] == {"target": 0.3}


def test_oversized_task_file_is_refused_before_parsing(tmp_path):
    path = tmp_path / "task.yaml"
    path.write_text("description: " + "x" * MAX_TASK_BYTES + "\n")
    with pytest.raises(TaskSpecError, match="a task file may hold at most"):
        load_task(path)


def test_non_utf8_task_file_is_a_clear_error(tmp_path):
    path = tmp_path / "task.yaml"
    path.write_bytes(b"name: \xff\xfe\n")
    with pytest.raises(TaskSpecError, match="not UTF-8"):
        load_task(path)


def test_expanded_weight_counts_every_reference_to_a_shared_node():
    node = yaml.compose("a: &a [xy, xy]\nb: [*a, *a, *a]\n")
    plain = yaml.compose("a: [xy, xy]\nb: [[xy, xy], [xy, xy], [xy, xy]]\n")
    assert expanded_weight(node, 10_000) == expanded_weight(plain, 10_000)
