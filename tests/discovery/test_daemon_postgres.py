"""The live daemon on a real PostgreSQL store: jobs finish, and a SIGKILL loses nothing."""

import signal

from discovery.jobs import submit_job
from discovery.testing import write_task
from memory import Store
from memory.jobs import JobQueue
from tests.discovery.test_daemon import (
    FAST,
    SLOW_SPHERE,
    LiveDaemon,
    assert_whole_history,
    evaluations,
    wait_until,
)
from tests.fixtures.postgres import fresh_database


def test_daemon_on_postgres_survives_sigkill_and_finishes_every_job(tmp_path, postgres_url):
    url = fresh_database(postgres_url)
    home = tmp_path / "home"
    home.mkdir()
    store = Store(url)
    task = write_task(tmp_path / "task", SLOW_SPHERE, evaluation=FAST, budget={"evaluations": 60})
    jobs = [submit_job(store, task) for _ in range(2)]
    daemon = LiveDaemon(home, "--db", url, "--max-jobs", 2)
    try:
        wait_until(lambda: evaluations(store, jobs[0]) >= 10, daemon, what="10 evaluations")
    finally:
        daemon.stop(signal.SIGKILL)
    assert evaluations(store, jobs[0]) < 60  # killed mid-run
    queue = JobQueue(store)
    daemon = LiveDaemon(home, "--db", url, "--max-jobs", 2)
    try:
        wait_until(
            lambda: all(queue.get(j.id).state == "finished" for j in jobs),
            daemon,
            what="both jobs to finish after the restart",
        )
    finally:
        daemon.stop()
    for job in jobs:
        assert_whole_history(store, job, 60)
    store.close()
