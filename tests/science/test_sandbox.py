"""Attacks on the sandbox: each must end in an invalid verdict with its reason, or be blocked,
and leave the pool working."""

from __future__ import annotations

import dataclasses
import os
import re
import socket
import time

import pytest

from science import EvaluatorRef, Job, Limits, SandboxPool
from science.sandbox import landlock
from science.sandbox.cgroup import PidsCgroup, is_available

needs_landlock = pytest.mark.skipif(landlock.abi_version() < 1, reason="no Landlock here")
needs_landlock_net = pytest.mark.skipif(landlock.abi_version() < 4, reason="Landlock ABI < 4")
needs_fork_cap = pytest.mark.skipif(
    os.getuid() == 0 and not is_available(),
    reason="root without a writable pids cgroup: a fork bomb would not be contained",
)

VALID = """
def evaluate(candidate):
    return {"score": 1.0}
"""


def test_raising_verifier_is_invalid_with_the_exception(pool, make_job):
    job = make_job("def evaluate(candidate):\n    raise ValueError('broken verifier')\n")
    [verdict] = pool.evaluate([job])
    assert verdict.valid is False
    assert "ValueError: broken verifier" in verdict.error


def test_hanging_verifier_times_out(pool, make_job):
    job = make_job("def evaluate(candidate):\n    while True:\n        pass\n", timeout_seconds=1)
    start = time.monotonic()
    [verdict] = pool.evaluate([job])
    assert verdict.valid is False
    assert "timed out after 1 s" in verdict.error
    assert time.monotonic() - start < 10


def test_os_exit_reports_the_exit_code(pool, make_job):
    job = make_job("import os\ndef evaluate(candidate):\n    print('bye')\n    os._exit(3)\n")
    [verdict] = pool.evaluate([job])
    assert verdict.valid is False
    assert "exited with code 3" in verdict.error
    assert "bye" in verdict.error  # the end of the candidate's output is kept


def test_ten_gigabyte_allocation_is_out_of_memory(pool, make_job):
    job = make_job("def evaluate(candidate):\n    return {'n': len(bytearray(10 * 2**30))}\n")
    [verdict] = pool.evaluate([job])
    assert verdict.valid is False
    assert "out of memory (the limit is 1024 MB)" in verdict.error


def test_cpu_time_limit_kills_a_busy_candidate(pool, make_job):
    source = "def evaluate(candidate):\n    while True:\n        pass\n"
    job = make_job(source, timeout_seconds=60, cpu_seconds=1)  # wall time: a loaded machine
    [verdict] = pool.evaluate([job])
    assert verdict.valid is False
    assert "CPU time limit exceeded (1 s)" in verdict.error


def test_printing_fifty_megabytes_exceeds_the_output_limit(pool, make_job):
    source = "def evaluate(candidate):\n    print('x' * 50 * 2**20)\n    return {'score': 1.0}\n"
    [verdict] = pool.evaluate([make_job(source, output_mb=4)])
    assert verdict.valid is False
    assert "output limit exceeded: printed more than 4 MB" in verdict.error


@needs_fork_cap
def test_fork_bomb_is_capped_and_cleaned_up(pool, make_job):
    source = """
    import os, time
    def evaluate(candidate):
        children = 0
        try:
            while True:
                if os.fork() == 0:
                    os.setsid()  # leave the process group: only the cgroup still finds us
                    while True:
                        time.sleep(1)
                children += 1
        except OSError as error:
            raise RuntimeError(f"fork refused after {children} children: {error}")
    """
    [verdict] = pool.evaluate([make_job(source, max_processes=16)])
    assert verdict.valid is False
    refused = re.search(r"RuntimeError: fork refused after (\d+) children", verdict.error)
    assert refused, verdict.error
    assert int(refused.group(1)) <= 16
    if is_available():
        for worker in pool._all:
            for cgroup in PidsCgroup.existing(f"w{worker.process.pid}-"):
                assert len(cgroup.pids()) <= 1  # the zygote only
    [after] = pool.evaluate([make_job(VALID)])
    assert after.valid is True


@needs_landlock
def test_write_outside_the_temp_dir_is_blocked(pool, make_job, tmp_path):
    target = tmp_path / "escaped.txt"
    source = f"""
    def evaluate(candidate):
        with open({str(target)!r}, "w") as handle:
            handle.write("escaped")
        return {{"score": 1.0}}
    """
    [verdict] = pool.evaluate([make_job(source)])
    assert verdict.valid is False
    assert "PermissionError" in verdict.error and "Permission denied" in verdict.error
    assert not target.exists()


@needs_landlock
def test_sibling_temp_dirs_are_not_writable(pool, make_job):
    source = """
    from pathlib import Path
    def evaluate(candidate):
        (Path.cwd().parent / "candidate-999").mkdir()
        return {"score": 1.0}
    """
    [verdict] = pool.evaluate([make_job(source)])
    assert verdict.valid is False
    assert "Permission denied" in verdict.error


def test_own_temp_dir_and_tempfile_are_writable(pool, make_job):
    source = """
    import os, tempfile
    from pathlib import Path
    def evaluate(candidate):
        Path("scratch.txt").write_text("ok")
        with tempfile.NamedTemporaryFile() as handle:
            inside = handle.name.startswith(os.getcwd())
        with open(os.devnull, "w") as null:
            null.write("ignored")
        return {"score": float(inside)}
    """
    [verdict] = pool.evaluate([make_job(source)])
    assert verdict.valid is True, verdict.error
    assert verdict.metrics["score"] == 1.0


@needs_landlock_net
def test_tcp_connection_to_localhost_is_blocked(pool, make_job):
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
        source = f"""
        import socket
        def evaluate(candidate):
            socket.create_connection(("127.0.0.1", {port}), timeout=2).close()
            return {{"score": 1.0}}
        """
        [verdict] = pool.evaluate([make_job(source)])
        server.settimeout(0.2)
        with pytest.raises(TimeoutError):
            server.accept()
    assert verdict.valid is False
    assert "Permission denied" in verdict.error or "Network is unreachable" in verdict.error


def test_candidate_cannot_kill_its_zygote(pool, make_job):
    source = """
    import os, signal
    def evaluate(candidate):
        os.kill(os.getppid(), signal.SIGKILL)
        return {"score": 1.0}
    """
    job = make_job(source)
    [verdict] = pool.evaluate([job])
    if landlock.abi_version() >= 6:
        assert verdict.valid is False
        assert "Operation not permitted" in verdict.error
    [after] = pool.evaluate([make_job(VALID)])
    assert after.valid is True


def test_missing_evaluator_file_is_a_clear_error(pool, tmp_path):
    ref = EvaluatorRef(target=str(tmp_path / "gone.py"), function="evaluate", is_file=True)
    [verdict] = pool.evaluate([Job(ref, 1.0, "text", {}, Limits(timeout_seconds=5))])
    assert verdict.valid is False
    assert f"cannot load evaluator {ref}" in verdict.error
    assert "gone.py" in verdict.error


def test_missing_evaluator_function_is_a_clear_error(pool, make_job):
    job = make_job("def other(candidate):\n    return {}\n")
    [verdict] = pool.evaluate([job])
    assert verdict.valid is False
    assert "no function 'evaluate'" in verdict.error


def test_hanging_evaluator_import_times_out(pool, make_job):
    job = make_job(
        "import time\ntime.sleep(60)\ndef evaluate(c):\n    return {}\n", timeout_seconds=1
    )
    [verdict] = pool.evaluate([job])
    assert verdict.valid is False
    assert "timed out after 1 s while importing the evaluator" in verdict.error


def test_secrets_in_the_environment_do_not_reach_the_evaluator(make_job, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-secret")
    monkeypatch.setenv("DISCOVERY_VISIBLE", "yes")
    source = """
    import os
    def evaluate(candidate):
        return {"key": float("OPENAI_API_KEY" in os.environ),
                "visible": float(os.environ.get("DISCOVERY_VISIBLE") == "yes")}
    """
    with SandboxPool(1) as fresh:  # workers copy the environment when they start
        [verdict] = fresh.evaluate([make_job(source)])
    assert verdict.metrics == {"key": 0.0, "visible": 1.0}


@pytest.mark.skipif(os.geteuid() != 0, reason="the network namespace is tested as root")
def test_udp_to_localhost_is_blocked_by_the_network_namespace(pool, make_job):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as server:
        server.bind(("127.0.0.1", 0))
        port = server.getsockname()[1]
        source = f"""
        import socket
        def evaluate(candidate):
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender:
                sender.sendto(b"leak", ("127.0.0.1", {port}))
            return {{"score": 1.0}}
        """
        [verdict] = pool.evaluate([make_job(source)])
        server.settimeout(0.2)
        with pytest.raises(TimeoutError):
            server.recvfrom(16)
    assert verdict.valid is False
    assert "Network is unreachable" in verdict.error


def test_a_program_candidate_is_a_file_in_the_temp_dir(pool, make_job):
    source = """
    import os, runpy
    def evaluate(path):
        namespace = runpy.run_path(path)
        inside = os.path.dirname(path) == os.getcwd()
        return {"answer": namespace["answer"], "inside": float(inside)}
    """
    job = make_job(source, candidate="answer = 21 * 2\n")
    [verdict] = pool.evaluate([dataclasses.replace(job, representation="program")])
    assert verdict.metrics == {"answer": 42.0, "inside": 1.0}
