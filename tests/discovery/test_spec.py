"""The task contract: valid YAMLs load with resolved paths; broken ones say what and where."""

import hashlib
from pathlib import Path

import pytest

from discovery.errors import TaskSpecError
from discovery.spec import load_task
from discovery.testing import write_task

REPO = Path(__file__).resolve().parents[2]


def test_builtin_circle_packing_task_loads_with_paths_resolved():
    spec = load_task(REPO / "tasks" / "circle_packing" / "task.yaml")
    setup = spec.evaluation_setup()
    assert spec.representation == "vector"
    assert Path(setup.evaluator.target) == REPO / "tasks" / "circle_packing" / "evaluator.py"


def test_task_outside_the_repo_resolves_against_its_own_folder(tmp_path):
    path = write_task(tmp_path / "elsewhere")
    spec = load_task(path)
    assert Path(spec.evaluation_setup().evaluator.target) == tmp_path / "elsewhere" / "evaluator.py"


def test_a_folder_stands_for_its_task_yaml(tmp_path):
    write_task(tmp_path)
    assert load_task(tmp_path).name == "sphere"


def test_broken_yaml_names_file_and_line(tmp_path):
    path = tmp_path / "task.yaml"
    path.write_text("name: x\nobjective: {metric: a\nrepresentation: vector\n")
    with pytest.raises(TaskSpecError, match=r"task\.yaml line \d+: not valid YAML"):
        load_task(path)


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"objective": None}, "field `objective`"),
        ({"budget": {"evaluations": "many"}}, "field `budget.evaluations`"),
        ({"name": "Has Spaces"}, "field `name`"),
        ({"representation": "graph"}, "field `representation`"),
        ({"vector": None}, "needs `vector: {size, low, high}`"),
        ({"engine": {"islands": 0}}, "field `engine.islands`"),
        ({"evaluation": {"timout_seconds": 3}}, "field `evaluation.timout_seconds`"),
    ],
)
def test_invalid_field_is_named_in_the_error(tmp_path, fields, expected):
    path = write_task(tmp_path, **fields)
    with pytest.raises(TaskSpecError, match="task.yaml") as error:
        load_task(path)
    assert expected in str(error.value)


def test_unknown_evaluator_file_is_reported_with_its_path(tmp_path):
    path = write_task(tmp_path, evaluator="missing.py:evaluate")
    with pytest.raises(TaskSpecError, match=r"evaluator file not found: .*missing\.py"):
        load_task(path)


def test_unknown_evaluator_module_is_reported(tmp_path):
    path = write_task(tmp_path, evaluator="no_such_package.scoring:evaluate")
    with pytest.raises(TaskSpecError, match="no_such_package.scoring"):
        load_task(path)


def test_program_task_reads_its_seed_file(tmp_path):
    (tmp_path / "seed.py").write_text("x = 1\n")
    path = write_task(tmp_path, representation="program", seed="seed.py", vector=None)
    assert load_task(path).seed_candidates() == ["x = 1\n"]


def test_missing_seed_file_is_reported(tmp_path):
    path = write_task(tmp_path, representation="program", seed="nope.py", vector=None)
    with pytest.raises(TaskSpecError, match="field `seed`: file not found"):
        load_task(path)


def test_vector_seed_of_wrong_size_is_rejected(tmp_path):
    path = write_task(tmp_path, seed=[0.1, 0.2])
    with pytest.raises(TaskSpecError, match="size 4"):
        load_task(path)


def test_same_task_and_seed_give_the_same_run_key(tmp_path):
    spec = load_task(write_task(tmp_path))
    assert spec.key(1) == load_task(tmp_path / "task.yaml").key(1)
    assert spec.key(1) != spec.key(2)


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"proposer": {"kind": "cmaes", "frobnicate": 3}}, "`proposer.frobnicate`: not an option"),
        ({"proposer": {"kind": "no-such-kind"}}, "`proposer.kind`: unknown proposer kind"),
        ({"evaluation": {"timeout_seconds": float("inf")}}, "finite number (got inf)"),
        ({"evaluation": {"timeout_seconds": 1e300}}, "`evaluation.timeout_seconds`"),
        (
            {"budget": {"evaluations": True}},
            "`budget.evaluations`: Input should be a valid integer",
        ),
        ({"budget": {"evaluations": 10**26}}, "`budget.evaluations`: Input should be less than"),
        ({"budget": {"evaluations": "1e26"}}, "`budget.evaluations`"),
        ({"budget": {"wall_seconds": float("nan")}}, "`budget.wall_seconds`"),
        ({"evaluation": {"workers": 100_000}}, "at most"),
        ({"evaluation": {"memory_mb": 1}}, "`evaluation.memory_mb`: 1 MB is below the 128 MB"),
        ({"evaluation": {"sandbox": True, "num_gpus": float("inf")}}, "`evaluation.num_gpus`"),
        ({"engine": {"batch_size": True}}, "`engine.batch_size`"),
    ],
)
def test_careless_values_are_refused_naming_file_and_field(tmp_path, fields, expected):
    path = write_task(tmp_path, **fields)
    with pytest.raises(TaskSpecError) as error:
        load_task(path)
    assert str(path) in str(error.value) and expected in str(error.value)


def test_memory_limit_off_and_sane_values_still_load(tmp_path):
    path = write_task(tmp_path, evaluation={"memory_mb": None, "workers": 2, "timeout_seconds": 5})
    assert load_task(path).evaluation.memory_mb is None


def test_missing_evaluator_function_is_found_when_the_task_loads(tmp_path):
    path = write_task(tmp_path, evaluator="evaluator.py:score")
    with pytest.raises(TaskSpecError, match=r"defines no 'score' \(it defines: evaluate\)"):
        load_task(path)


def test_evaluator_with_a_syntax_error_is_found_when_the_task_loads(tmp_path):
    path = write_task(tmp_path, source="def evaluate(candidate):\n    return {\n")
    with pytest.raises(TaskSpecError, match=r"evaluator.py line \d+: syntax error"):
        load_task(path)


def test_evaluator_file_is_read_not_run_when_the_task_loads(tmp_path):
    marker = tmp_path / "ran"
    source = f"open({str(marker)!r}, 'w').close()\ndef evaluate(candidate):\n    return {{}}\n"
    load_task(write_task(tmp_path, source=source))
    assert not marker.exists()


def test_evaluator_function_imported_or_defined_in_a_block_is_found(tmp_path):
    source = "try:\n    from math import fsum as evaluate\nexcept ImportError:\n    pass\n"
    assert load_task(write_task(tmp_path, source=source)).name == "sphere"


def test_missing_function_of_an_installed_evaluator_module_is_reported(tmp_path):
    path = write_task(tmp_path, evaluator="json.decoder:no_such_function")
    with pytest.raises(TaskSpecError, match="defines no 'no_such_function'"):
        load_task(path)


def test_command_line_budget_is_held_to_the_same_limits(tmp_path):
    spec = load_task(write_task(tmp_path))
    assert spec.budget_config(evaluations=7).evaluations == 7
    with pytest.raises(TaskSpecError, match="budget: field `evaluations`"):
        spec.budget_config(evaluations=10**26)
    with pytest.raises(TaskSpecError, match="budget: field `wall_seconds`"):
        spec.budget_config(seconds=float("inf"))


def test_domain_and_lessons_are_optional_and_leave_old_run_keys_alone(tmp_path):
    old = load_task(write_task(tmp_path / "old"))
    new = load_task(write_task(tmp_path / "old", domain="spheres", lessons={"every": 10}))
    assert old.lessons_config() is None and old.lesson_domain == "sphere"
    assert new.lessons_config().every == 10 and new.lesson_domain == "spheres"
    # the text a key hashed before `domain:` and `lessons:` existed
    expected = old.model_dump_json(exclude={"budget", "domain", "lessons"})
    legacy = hashlib.sha256(f"{old.folder}\0{expected}\0{0}".encode()).hexdigest()[:32]
    assert old.key(0) == legacy and new.key(0) != old.key(0)
