"""What `run_task` hands back: a PMO run carries its AUC top-10 in the --json shape."""

from discovery.runner import result_of
from discovery.testing import stored_spec
from memory import NewCandidate, Store
from molopt.pmo import top_k_auc

SPEC = stored_spec("maximize")


def test_pmo_run_result_carries_auc_top10_in_its_json(tmp_path):
    store = Store.at_home(tmp_path / "home")
    run = store.create_run("pmo-qed", "key", SPEC, 0)
    values = [0.3, 0.7, 0.5]
    new = [
        NewCandidate(f"h{i}", "smiles", "C" * (i + 1), True, {"score": v}, v)
        for i, v in enumerate(values)
    ]
    store.add_candidates(run.id, new, {}, 1.0)
    report = result_of(store, run.id, tmp_path / "out", "finished", "budget spent").to_json()
    assert report["pmo"]["auc_top10"] == top_k_auc(values) and report["pmo"]["calls"] == 3
    assert report["best"]["metrics"] == {"score": 0.7}
