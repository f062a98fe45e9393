"""The offline vector proposer (`cmaes`): bounds, progress on a quadratic, Lamarckian
adoption of polished artifacts (also through the loop), determinism and resume."""

import json
from dataclasses import replace

import numpy as np
import pytest

from discovery.runner import run_task
from discovery.spec import load_task
from discovery.testing import VECTOR_EVOLUTION_ONLY, write_task
from evolve import Context, Member, Objective, Problem, Scored, VectorSpace
from evolve.problem import decode_vector, encode_vector
from evolve.proposers.portfolio import VERIFY_CALLS, memory_decay
from evolve.proposers.vector import OPERATORS, REFINING, VectorEvolution
from memory import Store, candidate_hash

SIZE = 6
OPTIMUM = np.linspace(-2.0, 3.0, SIZE)


def problem(low: float = -5.0, high: float = 5.0) -> Problem:
    return Problem(
        "sphere", "vector", Objective("value", "minimize"), vector=VectorSpace(SIZE, low, high)
    )


def member(x, fitness, **extra) -> Member:
    content = encode_vector(list(x))
    return Member(
        hash=candidate_hash("vector", content),
        content=content,
        fitness=fitness,
        metrics={"value": -fitness} if fitness is not None else {},
        valid=fitness is not None,
        **extra,
    )


def sphere_fitness(x) -> float:
    return -float(np.sum((np.asarray(x) - OPTIMUM) ** 2))


def context(population, generation, seed=0, island=None) -> Context:
    ranked = sorted(population, key=lambda m: -m.fitness)
    return Context(
        problem=problem(),
        generation=generation,
        island=generation % 2 if island is None else island,
        parents=tuple(ranked[:2]),
        inspirations=tuple(ranked[2:4]),
        best=ranked[0] if ranked else None,
        rng=np.random.default_rng([seed, generation]),
    )


def evolve(proposer, population, generations, start=1, seed=0):
    """A minimal loop: propose 8, score on the sphere, tell, keep everything."""
    seen = []
    for generation in range(start, start + generations):
        proposals = proposer.propose(context(population, generation, seed), 8)
        scored = []
        for proposal in proposals:
            x = decode_vector(proposal.content)
            seen.append(x)
            item = member(x, sphere_fitness(x))
            scored.append(Scored(proposal, item))
            population.append(item)
        proposer.tell(scored)
    return seen


def start_population(seed=0):
    rng = np.random.default_rng(seed)
    return [member(x, sphere_fitness(x)) for x in rng.uniform(-5, 5, (4, SIZE))]


@pytest.mark.parametrize("low, high", [(-5.0, 5.0), (0.0, 1.0)])
def test_every_proposal_stays_inside_the_box(low, high):
    proposer = VectorEvolution(
        Problem("box", "vector", Objective("value"), vector=VectorSpace(SIZE, low, high)), sigma=3.0
    )
    population = [member(np.full(SIZE, high), -1.0), member(np.full(SIZE, low), -2.0)]
    for generation in range(1, 20):
        ctx = context(population, generation)
        ctx = Context(**{**ctx.__dict__, "problem": proposer.problem})
        for proposal in proposer.propose(ctx, 8):
            x = np.array(decode_vector(proposal.content))
            assert x.shape == (SIZE,)
            assert np.all((x >= low) & (x <= high))


def test_improves_a_quadratic_tenfold_and_beats_random_search_in_400_evaluations():
    population = start_population()
    initial = max(m.fitness for m in population)
    evolve(VectorEvolution(problem()), population, generations=50)
    best = max(m.fitness for m in population)
    random_search = max(map(sphere_fitness, np.random.default_rng(1).uniform(-5, 5, (404, SIZE))))
    assert best > initial / 10
    assert best > 10 * random_search


def test_refinement_starts_from_the_polished_artifact_when_there_is_one():
    proposer = VectorEvolution(problem(), crossover_fraction=0.0, refine_fraction=1.0)
    polished = np.full(SIZE, 4.0)
    best = member(np.zeros(SIZE), -1.0, artifacts={"polished": polished.tolist()})
    ctx = Context(problem(), 1, 0, (best,), (), best, np.random.default_rng(0))
    centres = [np.array(decode_vector(p.content)) for p in proposer.propose(ctx, 16)]
    assert np.median([np.abs(x - polished).mean() for x in centres]) < 1.0
    assert proposer.vector_of(best).tolist() == polished.tolist()


def test_an_unusable_artifact_falls_back_to_the_candidate_itself():
    proposer = VectorEvolution(problem())
    wrong_size = member(np.ones(SIZE), -1.0, artifacts={"polished": [1.0, 2.0]})
    not_finite = member(np.ones(SIZE), -1.0, artifacts={"polished": [float("nan")] * SIZE})
    assert proposer.vector_of(wrong_size).tolist() == [1.0] * SIZE
    assert proposer.vector_of(not_finite).tolist() == [1.0] * SIZE


def test_same_seed_gives_the_same_proposals():
    runs = [evolve(VectorEvolution(problem()), start_population(), 6) for _ in range(2)]
    assert runs[0] == runs[1]


def test_a_proposer_restored_from_json_state_proposes_the_same_batches():
    population = start_population()
    original = VectorEvolution(problem())
    evolve(original, population, generations=7)
    restored = VectorEvolution(problem())
    restored.load_state_dict(json.loads(json.dumps(original.state_dict())))
    after_original = evolve(original, list(population), generations=5, start=8)
    after_restored = evolve(restored, list(population), generations=5, start=8)
    assert after_original == after_restored


def test_refinement_credits_the_small_steps_on_a_smooth_landscape():
    proposer = VectorEvolution(problem(), crossover_fraction=0.0, refine_fraction=1.0)
    population = [member(OPTIMUM + 1e-3, sphere_fitness(OPTIMUM + 1e-3))]
    evolve(proposer, population, generations=40)
    rates = proposer.scales.rates()
    assert rates[0] > rates[-3:].max()  # 1e-4 of the box beats 0.1, 0.3 and resets


LAMARCKIAN_EVALUATOR = """
def evaluate(candidate, target=0.3, give_polished=True):
    polished = [x + 0.5 * (target - x) for x in candidate]  # a deterministic local step
    distance = sum((x - target) ** 2 for x in polished)
    artifacts = {"polished": polished} if give_polished else {}
    return {"score": -distance, "artifacts": artifacts}
"""


@pytest.mark.parametrize("seed", [0, 1])
def test_through_the_loop_adopting_polished_artifacts_beats_ignoring_them(tmp_path, seed):
    best = {}
    for give in (True, False):
        task = write_task(
            tmp_path / str(give),
            LAMARCKIAN_EVALUATOR,
            params={"give_polished": give},
            proposer=VECTOR_EVOLUTION_ONLY,  # the loop's own refinement would blur the two
            budget={"evaluations": 60},
            evaluation={"sandbox": False},
        )
        store = Store.at_home(tmp_path / f"home-{give}")
        result = run_task(load_task(task), store, tmp_path / "results", seed=seed)
        best[give] = result.best_metrics["score"]
    distance = {give: -score for give, score in best.items()}
    assert distance[True] < distance[False] / 100


def same(a, b) -> bool:
    if isinstance(a, np.ndarray):
        return a.dtype == b.dtype and np.array_equal(a, b, equal_nan=True)
    return a == b


def test_cma_state_is_stored_as_named_json_fields_and_restored_exactly():
    from evolve.proposers.cma_state import cma_from_json

    proposer = VectorEvolution(problem())
    evolve(proposer, start_population(), generations=9)
    stored = json.loads(json.dumps(proposer.state_dict()))
    assert stored["strategies"]
    for island, fields in stored["strategies"].items():
        assert {"mean", "C", "sigma", "g", "p_sigma", "pc"} <= set(fields)
        original, restored = proposer.strategies[int(island)], cma_from_json(fields)
        for name, value in vars(original).items():
            assert name == "_rng" or same(getattr(restored, name), value), name


def test_a_cma_state_from_another_cmaes_version_is_refused_clearly():
    from evolve.proposers.cma_state import CmaStateInvalid, cma_from_json

    proposer = VectorEvolution(problem())
    evolve(proposer, start_population(), generations=3)
    fields = next(iter(proposer.state_dict()["strategies"].values()))
    fields["future_field"] = {"int": 1}
    with pytest.raises(CmaStateInvalid, match=r"unknown \['future_field'\]"):
        cma_from_json(fields)


def test_polish_and_restart_ask_the_loop_for_refinement_and_their_cost_is_credited():
    from evolve.refinement import INNER_CALLS_META, REFINE_META

    proposer = VectorEvolution(problem(), crossover_fraction=0, refine_fraction=0, refine_calls=50)
    population = start_population()
    proposals = proposer.propose(context(population, 1), 400)
    refining = [p for p in proposals if p.proposer in ("polish", "restart")]
    assert refining and all(p.meta[REFINE_META]["max_calls"] == 50 for p in refining)
    polish = next(p for p in refining if p.proposer == "polish")
    x = decode_vector(polish.content)
    scored = Scored(
        replace(polish, meta={**polish.meta, INNER_CALLS_META: 50}),
        member(x, sphere_fitness(x) + 1.0),
    )
    before, spent = proposer.operators.calls[3], proposer.operators.spent
    proposer.tell([scored])
    cost = VERIFY_CALLS + 50
    assert proposer.operators.calls[3] == pytest.approx(before * memory_decay(cost, spent) + cost)
    assert scored.member.hash in proposer.polished


def test_a_refinement_stopped_by_its_seconds_is_charged_the_share_of_its_budget_it_used():
    from evolve.refinement import INNER_CALLS_META, SECONDS_META, STOPPED_META

    proposer = VectorEvolution(problem(), refine_calls=400, refine_seconds=10.0)
    proposals = proposer.propose(context(start_population(), 1), 400)
    restart = next(p for p in proposals if p.proposer == "restart")
    x = decode_vector(restart.content)
    cases = (("converged", 3.0, 12), ("seconds", 10.0, 400), ("seconds", 2.5, 100))
    for stopped, seconds, charged in cases:  # the last: cut short by the run's end
        meta = {**restart.meta, INNER_CALLS_META: 12, STOPPED_META: stopped, SECONDS_META: seconds}
        before, spent = proposer.operators.calls[4], proposer.operators.spent
        proposer.tell([Scored(replace(restart, meta=meta), member(x, sphere_fitness(x)))])
        cost = VERIFY_CALLS + charged
        assert proposer.operators.calls[4] == pytest.approx(
            before * memory_decay(cost, spent) + cost
        )


def test_a_slow_refinement_pauses_the_refining_operators_then_they_return():
    from evolve.proposers.vector import SLOW_PAUSE
    from evolve.refinement import STOPPED_META

    proposer = VectorEvolution(problem())
    population = start_population()
    restart = next(
        p for p in proposer.propose(context(population, 1), 400) if p.proposer == "restart"
    )
    x = decode_vector(restart.content)
    slow = replace(restart, meta={**restart.meta, STOPPED_META: "slow"})
    proposer.tell([Scored(slow, member(x, sphere_fitness(x)))])
    paused = proposer.propose(context(population, 2), 400)
    assert not [p for p in paused if p.proposer in REFINING]
    quick = [Scored(p, member(decode_vector(p.content), -1e3)) for p in paused[:SLOW_PAUSE]]
    proposer.tell(quick)
    back = proposer.propose(context(population, 3), 400)
    assert [p for p in back if p.proposer in REFINING]


def test_refinements_in_a_batch_fill_the_pool_s_workers():
    proposer = VectorEvolution(problem(), crossover_fraction=0, refine_fraction=0, refine_calls=50)
    population = start_population()
    counts = []
    for generation in range(1, 40):
        ctx = replace(context(population, generation), workers=2)
        proposals = proposer.propose(ctx, 8)
        assert len(proposals) == 8
        counts.append(sum(p.proposer in REFINING for p in proposals))
    assert sum(counts) > 0 and all(count % 2 == 0 for count in counts)


def test_a_hop_asks_to_refine_a_large_perturbation_of_the_best():
    from evolve.refinement import REFINE_META

    proposer = VectorEvolution(problem(), refine_calls=50)
    population = start_population()
    ctx = context(population, 1)
    proposals = proposer.propose(ctx, 400)
    hops = [p for p in proposals if p.proposer == "hop"]
    assert hops and all(p.meta[REFINE_META]["max_calls"] == 50 for p in hops)
    best = np.array(decode_vector(ctx.best.content))
    moves = [np.abs(np.array(decode_vector(p.content)) - best).max() for p in hops]
    assert all(p.parents == (ctx.best.hash,) for p in hops)
    assert min(moves) > 0.0 and np.median(moves) > 0.01 * 10.0  # at least 1 % of the box


def test_a_state_saved_before_the_hop_arm_existed_loads_with_a_fresh_portfolio():
    proposer = VectorEvolution(problem())
    evolve(proposer, start_population(), generations=2)
    state = json.loads(json.dumps(proposer.state_dict()))
    older = {key: value[:5] for key, value in state["operators"].items() if key != "spent"}
    state["operators"] = older  # five arms, no spending: as written before this pass
    restored = VectorEvolution(problem())
    restored.load_state_dict(state)
    assert len(restored.operators.priors) == len(restored.operators.calls) == len(OPERATORS)
    assert restored.polished == proposer.polished
    assert restored.propose(context(start_population(), 3), 8)


def test_an_operator_with_a_prior_share_of_zero_never_proposes():
    off = {f"{name}_fraction": 0 for name in REFINING}
    proposer = VectorEvolution(problem(), **off)
    population = start_population()
    for generation in range(1, 6):
        proposals = proposer.propose(context(population, generation), 200)
        assert len(proposals) == 200
        assert not [p for p in proposals if p.proposer in REFINING]


def test_a_refinement_dropped_as_a_repeat_is_charged_and_gains_nothing():
    from evolve.refinement import INNER_CALLS_META

    proposer = VectorEvolution(problem(), refine_calls=500)
    proposals = proposer.propose(context(start_population(), 1), 400)
    restart = next(p for p in proposals if p.proposer == "restart")
    calls, spent = proposer.operators.calls[4], proposer.operators.spent
    repeat = replace(restart, meta={**restart.meta, INNER_CALLS_META: 480})
    proposer.tell_repeats([repeat])
    cost = VERIFY_CALLS + 480
    assert proposer.operators.spent == spent + cost
    assert proposer.operators.calls[4] == pytest.approx(calls * memory_decay(cost, spent) + cost)
    assert proposer.operators.gains[4] == 0.0


def test_refinements_are_drawn_from_the_first_batch_of_a_small_run():
    # before any refinement is measured it is charged a short L-BFGS-B run, not its whole
    # budget of calls: a 48-evaluation run must get refinements from its first batches
    drawn = []
    for seed in range(50):
        proposals = VectorEvolution(problem()).propose(context(start_population(), 1, seed), 8)
        drawn.append(sum(p.proposer in REFINING for p in proposals))
    assert np.mean(drawn) >= 2.0  # a quarter of the batch or more


def test_a_cma_run_asks_for_a_cma_refinement_from_a_random_start():
    from evolve.refinement import REFINE_META

    proposer = VectorEvolution(problem(), refine_calls=50, refine_method="lbfgsb")
    proposals = proposer.propose(context(start_population(), 1), 400)
    runs = [p for p in proposals if p.proposer == "cma_run"]
    assert runs and all(p.parents == () for p in runs)
    assert all(p.meta[REFINE_META] == {**proposer.request, "method": "cma"} for p in runs)
    assert proposer.request["method"] == "lbfgsb"  # the other refinements keep theirs
    starts = {p.content for p in runs}
    assert len(starts) == len(runs)  # independent uniform starts
