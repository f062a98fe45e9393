"""Distribution for real: a Ray head and a second node on loopback, sandboxed Ray tasks,
a worker killed mid-evaluation, and a whole run whose history stays exact."""

import os
import signal
import threading
import time
from pathlib import Path

import psutil
import pytest

from science import EvaluatorRef, Job, Limits

ray = pytest.importorskip("ray")
from ray.cluster_utils import Cluster  # noqa: E402

from science.sandbox.ray_pool import RayPool  # noqa: E402

SLEEPY = """
import time
def evaluate(candidate, seconds=0.3):
    time.sleep(seconds)
    return {"score": float(sum(candidate))}
"""


@pytest.fixture(scope="module")
def cluster():
    """A head node and a second node, one CPU each, on this machine's loopback."""
    cluster = Cluster(
        initialize_head=True,
        head_node_args={"num_cpus": 1, "include_dashboard": False},
    )
    cluster.add_node(num_cpus=1)
    cluster.wait_for_nodes()
    yield cluster
    ray.shutdown()
    cluster.shutdown()


@pytest.fixture
def pool(cluster):
    pool = RayPool(cluster.address)
    yield pool
    ray.shutdown()


def sleepy_jobs(tmp_path: Path, count: int, seconds: float) -> list[Job]:
    (tmp_path / "sleepy.py").write_text(SLEEPY)
    ref = EvaluatorRef.parse("sleepy.py:evaluate", tmp_path)
    limits = Limits(timeout_seconds=30, memory_mb=1024)
    return [Job(ref, [float(i)], "vector", {"seconds": seconds}, limits) for i in range(count)]


def test_evaluations_land_on_both_nodes_in_order(pool, tmp_path):
    verdicts = pool.evaluate(sleepy_jobs(tmp_path, 8, 0.5))
    assert [v.metrics["score"] for v in verdicts] == [float(i) for i in range(8)]
    assert len(pool.nodes) == 2


def _kill_one_ray_worker_running(function_name: str, deadline: float) -> int:
    while time.monotonic() < deadline:
        for process in psutil.process_iter(["pid", "cmdline"]):
            if any(function_name in part for part in process.info["cmdline"] or []):
                os.kill(process.info["pid"], signal.SIGKILL)
                return process.info["pid"]
        time.sleep(0.05)
    raise AssertionError("no Ray worker ran the evaluation")


def test_worker_killed_mid_evaluation_is_retried(pool, tmp_path):
    jobs = sleepy_jobs(tmp_path, 2, 2.0)
    killed = []
    killer = threading.Thread(
        target=lambda: killed.append(
            _kill_one_ray_worker_running("evaluate_on_node", time.monotonic() + 30)
        )
    )
    killer.start()
    verdicts = pool.evaluate(jobs)
    killer.join()
    assert killed
    assert all(v.valid for v in verdicts), [v.error for v in verdicts]
    assert [v.metrics["score"] for v in verdicts] == [0.0, 1.0]


def test_a_run_on_the_cluster_has_an_exact_history(cluster, tmp_path, monkeypatch):
    """Through DISCOVERY_RAY_ADDRESS, as `discover daemon --ray-address` hands it to jobs."""
    from discovery.runner import run_task
    from discovery.spec import load_task
    from discovery.testing import write_task
    from memory import Store

    task = write_task(tmp_path / "task", budget={"evaluations": 24})
    store = Store.at_home(tmp_path / "home")
    monkeypatch.setenv("DISCOVERY_RAY_ADDRESS", cluster.address)
    result = run_task(load_task(task), store, tmp_path / "results")
    records = list(store.history(result.run_id))
    assert result.status == "finished"
    assert [c.n for c in records] == list(range(1, 25))
    assert len({c.hash for c in records}) == 24
    ray.shutdown()
