"""The results folder: a log-scale curve where values span decades, PMO figures for PMO runs."""

import pytest

from discovery.report import best_value, curve_scale, write_results
from discovery.testing import stored_spec
from memory import NewCandidate, Store
from molopt.pmo import PMO_BUDGET, top_k_auc

SPEC = stored_spec("maximize")


def stored_run(tmp_path, task_name, values, spec=SPEC):
    store = Store.at_home(tmp_path / "home")
    run = store.create_run(task_name, "key", spec, 0)
    sign = 1 if spec["objective"]["direction"] == "maximize" else -1
    new = [
        NewCandidate(
            hash=f"h{i}",
            representation="smiles",
            content="C" * (i + 1),
            valid=True,
            metrics={"score": v},
            fitness=sign * v,
        )
        for i, v in enumerate(values)
    ]
    store.add_candidates(run.id, new, {}, 1.0)
    return store, run.id


@pytest.mark.parametrize(
    ("values", "scale"),
    [
        ([2.56, 2.61, 2.63], "linear"),
        ([1.0, 0.1, 0.001], "log"),
        ([-1.0, -0.01], "symlog"),
        ([-1.0, 0.5], "linear"),
        ([], "linear"),
    ],
)
def test_curve_is_log_scaled_only_where_values_span_decades(values, scale):
    assert curve_scale(values)[0] == scale


def test_pmo_run_reports_auc_top10_in_its_report(tmp_path):
    values = [0.1 * (i % 10) for i in range(30)]
    store, run_id = stored_run(tmp_path, "pmo-qed", values)
    folder = write_results(store, run_id, tmp_path / "out")
    report = (folder / "report.md").read_text()
    expected = top_k_auc(values, 10, PMO_BUDGET)
    assert "PMO figures" in report and f"| auc_top10 | {expected:.4g} |" in report


def test_other_runs_have_no_pmo_section(tmp_path):
    store, run_id = stored_run(tmp_path, "sphere", [0.2, 0.4])
    assert "PMO" not in (write_results(store, run_id, tmp_path / "out") / "report.md").read_text()


def test_best_value_is_in_the_metric_own_sign_when_minimizing(tmp_path):
    spec = stored_spec("minimize")
    store, run_id = stored_run(tmp_path, "sphere", [0.5, 0.25], spec)
    assert best_value(store.get_run(run_id)) == 0.25
