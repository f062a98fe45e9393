"""The progress bar names both budget limits and estimates time to the first one reached."""

from discovery.progress import limits_text, seconds_left
from evolve import Budget, Progress


def progress(evaluations, elapsed_seconds):
    return Progress(
        evaluations, invalid=0, best_value=None, generation=1, elapsed_seconds=elapsed_seconds
    )


def test_limits_name_both_evaluations_and_seconds():
    assert limits_text(Budget(1000, 300)) == "stops at 1000 evals or 300 s"
    assert limits_text(Budget(None, 60.5)) == "stops at 60.5 s"
    assert limits_text(Budget(None, None)) == "no limit"


def test_time_left_is_the_wall_clock_when_it_binds_first():
    # 20,000 evaluations at 3/s would take 6,600 s more; the wall clock stops it in 800 s.
    assert seconds_left(Budget(20_000, 900), progress(200, 100.0), rate=3.0) == 800.0


def test_time_left_is_the_evaluations_when_they_bind_first():
    assert seconds_left(Budget(1000, 900), progress(500, 50.0), rate=10.0) == 50.0


def test_time_left_is_unknown_without_a_rate_or_a_wall_limit():
    assert seconds_left(Budget(1000, None), progress(0, 0.0), rate=None) is None
