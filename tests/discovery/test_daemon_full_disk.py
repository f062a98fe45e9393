"""A full disk under one job's results folder fails that job alone, with its history kept."""

import errno
import os
from pathlib import Path

import pytest

from discovery.errors import ResultsWriteError
from discovery.jobs import job_spec, submit_job
from discovery.report import write_results
from discovery.runner import run_task
from discovery.testing import write_task
from memory.jobs import JobQueue
from tests.discovery.test_daemon import (
    FAST,
    LiveDaemon,
    assert_whole_history,
    home,
    store,
    wait_until,
)

__all__ = ["home", "store"]  # the fixtures, shared with the daemon tests

pytestmark = pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")


def fill_disk_under(results: Path) -> None:
    """Make writing history.csv fail with ENOSPC, as on a full disk (writes to /dev/full do)."""
    results.mkdir(parents=True)
    (results / "history.csv").symlink_to("/dev/full")


def test_write_results_names_the_folder_on_enospc(tmp_path, home, store):
    job = submit_job(store, write_task(tmp_path / "task", evaluation=FAST))
    folder = tmp_path / "full"
    fill_disk_under(folder)
    with pytest.raises(ResultsWriteError, match=f"to {folder}: No space left") as raised:
        write_results(store, job.run_id, folder)
    assert raised.value.__cause__.errno == errno.ENOSPC


def test_a_full_results_folder_fails_its_job_and_the_next_job_finishes(tmp_path, home, store):
    task = write_task(tmp_path / "task", evaluation=FAST, budget={"evaluations": 16})
    full, fine = submit_job(store, task, priority=1), submit_job(store, task)
    fill_disk_under(home / "results" / full.run_id)
    daemon = LiveDaemon(home, "--max-jobs", 1)
    queue = JobQueue(store)
    try:
        wait_until(
            lambda: all(queue.get(j.id).state in ("finished", "failed") for j in (full, fine)),
            daemon,
            what="both jobs to end",
        )
    finally:
        daemon.stop()
    failed, finished = queue.get(full.id), queue.get(fine.id)
    assert failed.state == "failed"
    assert f"ResultsWriteError: cannot write the results of run {full.run_id}" in failed.message
    assert f"to {home / 'results' / full.run_id}: No space left on device" in failed.message
    assert_whole_history(store, failed, 16)  # every evaluation kept in the store
    assert finished.state == "finished"
    assert (home / "results" / fine.run_id / "history.csv").stat().st_size > 0
    assert_whole_history(store, finished, 16)


def test_run_task_raises_the_results_error_after_storing_the_run(tmp_path, home, store):
    job = submit_job(store, write_task(tmp_path / "task", evaluation=FAST))
    fill_disk_under(tmp_path / "results" / job.run_id)
    with pytest.raises(ResultsWriteError, match="No space left on device"):
        run_task(job_spec(store, job), store, tmp_path / "results", resume=job.run_id)
    assert store.get_run(job.run_id).status == "finished"
    assert store.get_run(job.run_id).evaluations == 40
