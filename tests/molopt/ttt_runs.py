"""What the tests of the SMILES and edit-policy TTT proposers share: scoring proposals with
a made-up reward, and a short PMO QED run with TTT-Discover's state reuse."""

from collections.abc import Callable
from pathlib import Path

from discovery.runner import run_task
from discovery.spec import ProposerSpec, load_task
from evolve.context import Member, Proposal, Scored
from memory import Store
from memory.store import sqlite_url
from tests.molopt.test_pmo_tasks import TASKS


def told(proposals: list[Proposal], score: Callable[[str], float]) -> list[Scored]:
    """The proposals scored by `score` of their SMILES (a reward a policy can learn)."""
    results = []
    for number, proposal in enumerate(proposals):
        value = score(proposal.content)
        member = Member(f"h{number}", proposal.content, value, {"score": value}, True)
        results.append(Scored(proposal, member))
    return results


def run_qed_with_ttt(tmp_path: Path, kind: str, lr: float) -> tuple[dict, list]:
    """32 evaluations of PMO QED with `kind` (TTT on, groups of 4, `ttt_puct`): the stored
    proposer state and the history, after checking the run finished its budget."""
    spec = load_task(TASKS / "qed.yaml")
    spec = spec.model_copy(
        update={
            "proposer": ProposerSpec(kind=kind, ttt={"enabled": True, "group_size": 4, "lr": lr}),
            "engine": spec.engine.model_copy(
                update={"batch_size": 8, "parents": 2, "selection": "ttt_puct"}
            ),
            "evaluation": spec.evaluation.model_copy(update={"sandbox": False}),
        }
    )
    store = Store(sqlite_url(tmp_path / "store.db"))
    try:
        result = run_task(spec, store, tmp_path / "results", evaluations=32, seed=0)
        assert result.status == "finished" and result.evaluations == 32
        state = store.get_run(result.run_id).engine_state["proposer"]
        return state, list(store.history(result.run_id))
    finally:
        store.close()
