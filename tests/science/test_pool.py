"""Pools: verdict order, a worker killed mid-job, zygote reuse and rebuild, in-process calls."""

from __future__ import annotations

import os
import signal
import tempfile
import threading
import time
from pathlib import Path

from science import InProcessPool, SandboxPool, make_pool
from science.sandbox.cgroup import PidsCgroup
from science.sandbox.scratch import SCRATCH_PREFIX

SLEEPY = """
import time
def evaluate(candidate):
    time.sleep(candidate)
    return {"slept": candidate}
"""
PARENT = """
import os
def evaluate(candidate):
    return {"zygote": os.getppid(), "version": 1}
"""


def test_verdicts_keep_the_order_of_the_jobs_under_two_workers(pool, make_job):
    delays = [0.3, 0.0, 0.2, 0.0, 0.1, 0.0]
    jobs = [make_job(SLEEPY, candidate=delay) for delay in delays]
    verdicts = pool.evaluate(jobs)
    assert [v.metrics["slept"] for v in verdicts] == delays


def test_a_worker_killed_mid_job_gives_an_invalid_verdict_and_is_replaced(make_job):
    with SandboxPool(1) as pool:
        pool.evaluate([make_job(SLEEPY, candidate=0.0)])  # start the worker
        [worker] = pool._all
        killer = threading.Timer(0.5, os.kill, (worker.process.pid, signal.SIGKILL))
        killer.start()
        start = time.monotonic()
        [verdict] = pool.evaluate([make_job(SLEEPY, candidate=30.0)])
        assert time.monotonic() - start < 10
        assert verdict.valid is False
        assert "sandbox worker died during evaluation" in verdict.error
        assert PidsCgroup.existing(f"w{worker.process.pid}-") == []
        scratch = Path(tempfile.gettempdir()).glob(f"{SCRATCH_PREFIX}w{worker.process.pid}-*")
        assert list(scratch) == []
        [after] = pool.evaluate([make_job(SLEEPY, candidate=0.0)])
        assert after.valid is True


def test_the_zygote_is_reused_until_the_evaluator_changes(make_job):
    job = make_job(PARENT)
    with SandboxPool(1) as pool:
        first = pool.evaluate([job] * 4)
        zygotes = {v.metrics["zygote"] for v in first}
        assert len(zygotes) == 1
        Path(job.evaluator.target).write_text(PARENT.replace('"version": 1', '"version": 22'))
        [changed] = pool.evaluate([job])
    assert changed.metrics["version"] == 22
    assert changed.metrics["zygote"] not in zygotes


def test_a_zygote_killed_between_jobs_is_rebuilt(make_job):
    job = make_job(PARENT)
    with SandboxPool(1) as pool:
        [first] = pool.evaluate([job])
        os.kill(int(first.metrics["zygote"]), signal.SIGKILL)
        time.sleep(0.1)
        [rebuilt] = pool.evaluate([job])
    assert rebuilt.valid is True
    assert rebuilt.metrics["zygote"] != first.metrics["zygote"]


def test_a_zygote_killed_mid_job_gives_an_invalid_verdict(make_job):
    source = SLEEPY.replace('"slept": candidate', '"zygote": __import__("os").getppid()')
    with SandboxPool(1) as pool:
        [first] = pool.evaluate([make_job(source, candidate=0.0)])
        zygote = int(first.metrics["zygote"])
        threading.Timer(0.5, os.kill, (zygote, signal.SIGKILL)).start()
        [verdict] = pool.evaluate([make_job(source, candidate=30.0)])
        [after] = pool.evaluate([make_job(source, candidate=0.0)])
    assert verdict.valid is False
    assert "the sandbox process died (killed by SIGKILL" in verdict.error
    assert after.valid is True


def test_in_process_pool_calls_the_evaluator_and_catches_errors(make_job, tmp_path):
    good = make_job("def evaluate(candidate):\n    return {'double': 2 * candidate}\n", 2.0)
    bad = make_job("def evaluate(candidate):\n    raise KeyError('k')\n")
    pool = make_pool(sandbox=False)
    assert isinstance(pool, InProcessPool)
    verdicts = pool.evaluate([good, bad])
    assert verdicts[0].metrics == {"double": 4.0}
    assert verdicts[1].valid is False and "KeyError" in verdicts[1].error
