"""The task contract: a task YAML parsed into a validated `TaskSpec`.

Relative paths (evaluator file, seed files) resolve against the YAML's folder, so a task
runs from anywhere on disk. See ARCHITECTURE.md, "The task contract".
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from discovery.errors import TaskSpecError
from discovery.preflight import evaluator_problem, proposer_problems
from discovery.task_yaml import read_task_yaml
from evolve import (
    Budget,
    EngineConfig,
    MapElitesConfig,
    Objective,
    Problem,
    VectorSpace,
    encode_vector,
)
from evolve.config import Selection
from evolve.lessons import LessonsConfig
from evolve.loop import Evaluation
from evolve.problem import Direction
from memory import RunRecord
from science import CascadeStage, EvaluatorRef, Limits, ScienceError

NAME_PATTERN = r"^[a-z0-9][a-z0-9-]*$"
MAX_EVALUATIONS = 10**9  # a month at hundreds of evaluations a second (bench/ asks 10**9)
MAX_WALL_SECONDS = 366 * 86_400.0
MAX_EVALUATION_SECONDS = 7 * 86_400.0
# The sandbox's interpreter alone maps about 100 MB of address space (measured with a
# trivial evaluator), so a smaller `memory_mb` could not bite; null means no limit.
MIN_MEMORY_MB = 128
MAX_WORKERS_PER_CORE = 4

# Counts and amounts as the YAML wrote them: `true` is not 1, and no value is inf or nan.
Count = Annotated[int, Field(strict=True)]
Amount = Annotated[float, Field(strict=True)]
OPTIONAL_KEYS = ("domain", "lessons")  # added later: absent, they leave a run's key as it was
STRICT = ConfigDict(extra="forbid", allow_inf_nan=False)

# The defaults live once, in the engine's and the sandbox's own dataclasses; the YAML models
# below take theirs from these.
ENGINE = EngineConfig()
BUDGET = Budget()
LIMITS = Limits()
CELLS = MapElitesConfig(metrics=())
SPACE = VectorSpace(size=1)
OBJECTIVE = Objective(metric="")
# Passed as validation context when a stored spec is read back (`stored_task`): checks that
# depend on the machine reading it (cores) were made where the task was submitted.
STORED = "stored"


class ObjectiveSpec(BaseModel):
    """`objective:` which metric to optimize, and in which direction."""

    model_config = STRICT
    metric: str
    direction: Direction = OBJECTIVE.direction


class VectorSpec(BaseModel):
    """`vector:` size and box bounds of a vector candidate."""

    model_config = STRICT
    size: Count = Field(gt=0)
    low: Amount = SPACE.low
    high: Amount = SPACE.high

    @model_validator(mode="after")
    def _ordered(self) -> VectorSpec:
        if not self.low < self.high:
            raise ValueError(f"low ({self.low}) must be below high ({self.high})")
        return self


class BudgetSpec(BaseModel):
    """`budget:` when to stop."""

    model_config = STRICT
    evaluations: Count | None = Field(default=BUDGET.evaluations, gt=0, le=MAX_EVALUATIONS)
    wall_seconds: Amount | None = Field(default=BUDGET.wall_seconds, gt=0, le=MAX_WALL_SECONDS)


class CascadeStageSpec(BaseModel):
    """One stage of `evaluation.cascade`: a cheap evaluator and the threshold its metric must
    clear (`min` or `max`) for the candidate to go on."""

    model_config = STRICT
    evaluator: str
    metric: str = Field(min_length=1)
    min: Amount | None = None
    max: Amount | None = None

    @model_validator(mode="after")
    def _one_threshold(self) -> CascadeStageSpec:
        if (self.min is None) == (self.max is None):
            raise ValueError("a cascade stage needs exactly one of `min` and `max`")
        return self


class EvaluationSpec(BaseModel):
    """`evaluation:` sandbox limits for one verifier call, and the optional cascade of cheap
    checks before it."""

    model_config = STRICT
    timeout_seconds: Amount = Field(default=LIMITS.timeout_seconds, gt=0, le=MAX_EVALUATION_SECONDS)
    memory_mb: Count | None = Field(default=LIMITS.memory_mb, gt=0)
    cpu_seconds: Amount | None = Field(default=LIMITS.cpu_seconds, gt=0, le=MAX_EVALUATION_SECONDS)
    workers: Count | None = Field(default=None, gt=0)
    sandbox: bool = True
    num_gpus: Amount = Field(default=0.0, ge=0)
    cascade: list[CascadeStageSpec] = Field(default_factory=list)

    @field_validator("memory_mb")
    @classmethod
    def _memory_can_bite(cls, value: int | None) -> int | None:
        if value is not None and value < MIN_MEMORY_MB:
            raise ValueError(
                f"{value} MB is below the {MIN_MEMORY_MB} MB the sandboxed interpreter needs "
                "before the limit can bite (it maps about 100 MB itself); use null for no limit"
            )
        return value

    @field_validator("workers")
    @classmethod
    def _workers_fit_the_machine(cls, value: int | None, info: ValidationInfo) -> int | None:
        if info.context and info.context.get(STORED):
            return value
        cores = os.cpu_count() or 1
        most = MAX_WORKERS_PER_CORE * cores
        if value is not None and value > most:
            raise ValueError(
                f"{value} parallel sandboxes on a {cores}-core machine; at most {most} "
                f"({MAX_WORKERS_PER_CORE} per core) make sense (leave it out for one per core)"
            )
        return value


class MapElitesSpec(BaseModel):
    """`engine.map_elites:` cells over named metrics."""

    model_config = STRICT
    metrics: list[str] = Field(min_length=1)
    ranges: dict[str, tuple[Amount, Amount]] = Field(default_factory=dict)
    bins: Count = Field(default=CELLS.bins, gt=0)


class EngineSpec(BaseModel):
    """`engine:` population, islands and selection (all optional)."""

    model_config = STRICT
    islands: Count = Field(default=ENGINE.islands, gt=0)
    population_size: Count = Field(default=ENGINE.population_size, gt=0)
    batch_size: Count = Field(default=ENGINE.batch_size, gt=0)
    parents: Count = Field(default=ENGINE.parents, gt=0)
    inspirations: Count = Field(default=ENGINE.inspirations, ge=0)
    migration_interval: Count = Field(default=ENGINE.migration_interval, gt=0)
    selection: Selection = ENGINE.selection
    exploration: Amount = Field(default=ENGINE.exploration, ge=0)
    rank_alpha: Amount = Field(default=ENGINE.rank_alpha, ge=0)
    max_stale_generations: Count = Field(default=ENGINE.max_stale_generations, gt=0)
    map_elites: MapElitesSpec | None = None
    novelty: Amount | None = Field(default=ENGINE.novelty, ge=0, le=1)


class LessonsSpec(BaseModel):
    """`lessons:` distill lessons from the run and hand them to the proposer
    (`evolve.lessons.LessonsConfig` says what each key means)."""

    model_config = STRICT
    every: Count = Field(default=50, gt=0)
    top: Count = Field(default=3, gt=0)
    min_support: Count = Field(default=3, gt=0)
    keep: Count = Field(default=12, gt=0)
    writer: Literal["auto", "statistics"] = "auto"


class ProposerSpec(BaseModel):
    """`proposer:` which proposer (`kind`) and its options (any other keys)."""

    model_config = ConfigDict(extra="allow")
    kind: str | None = None

    @property
    def options(self) -> dict[str, Any]:
        """Every key but `kind`, passed to the proposer's constructor."""
        return dict(self.model_extra or {})


class TaskSpec(BaseModel):
    """A validated task YAML."""

    model_config = STRICT
    name: str = Field(pattern=NAME_PATTERN)
    description: str = ""
    representation: Literal["program", "vector", "smiles", "text"]
    evaluator: str
    render: str | None = None
    params: dict[str, Any] = Field(default_factory=dict)
    objective: ObjectiveSpec
    seed: str | list[Any] | None = None
    vector: VectorSpec | None = None
    budget: BudgetSpec = Field(default_factory=BudgetSpec)
    proposer: ProposerSpec = Field(default_factory=ProposerSpec)
    evaluation: EvaluationSpec = Field(default_factory=EvaluationSpec)
    engine: EngineSpec = Field(default_factory=EngineSpec)
    domain: str | None = Field(default=None, pattern=NAME_PATTERN)
    lessons: LessonsSpec | None = None
    folder: Path = Field(default=Path("."), exclude=True)

    @field_validator("evaluator", "render")
    @classmethod
    def _evaluator_shape(cls, value: str | None) -> str | None:
        if value is not None and ":" not in value:
            raise ValueError("expected 'file.py:function' or 'package.module:function'")
        return value

    @model_validator(mode="after")
    def _vector_needs_space(self) -> TaskSpec:
        if self.representation == "vector" and self.vector is None:
            raise ValueError("representation 'vector' needs `vector: {size, low, high}`")
        if self.representation == "program" and self.seed is None:
            raise ValueError("representation 'program' needs `seed:` (a file or inline code)")
        return self

    # derived views ------------------------------------------------------------------------

    def problem(self) -> Problem:
        """What the engine and proposers see of the task."""
        space = VectorSpace(**self.vector.model_dump()) if self.vector else None
        return Problem(
            name=self.name,
            representation=self.representation,
            objective=Objective(self.objective.metric, self.objective.direction),
            description=self.description,
            vector=space,
            params=self.params,
        )

    def evaluation_setup(self) -> Evaluation:
        """Evaluator, params and sandbox limits (the evaluator is checked to exist)."""
        try:
            ref = EvaluatorRef.parse(self.evaluator, self.folder)
        except ScienceError as error:
            raise TaskSpecError(f"{self.folder}: field `evaluator`: {error}") from error
        limits = Limits(
            timeout_seconds=self.evaluation.timeout_seconds,
            memory_mb=self.evaluation.memory_mb,
            cpu_seconds=self.evaluation.cpu_seconds,
        )
        cascade = tuple(self._stage(i, s) for i, s in enumerate(self.evaluation.cascade))
        return Evaluation(evaluator=ref, params=self.params, limits=limits, cascade=cascade)

    def render_ref(self) -> EvaluatorRef | None:
        """Where the task's optional `render` function lives (None: the task draws nothing)."""
        if self.render is None:
            return None
        try:
            return EvaluatorRef.parse(self.render, self.folder)
        except ScienceError as error:
            raise TaskSpecError(f"{self.folder}: field `render`: {error}") from error

    def _stage(self, index: int, stage: CascadeStageSpec) -> CascadeStage:
        try:
            ref = EvaluatorRef.parse(stage.evaluator, self.folder)
        except ScienceError as error:
            field = f"evaluation.cascade[{index}].evaluator"
            raise TaskSpecError(f"{self.folder}: field `{field}`: {error}") from error
        return CascadeStage(ref, stage.metric, stage.min, stage.max)

    def lessons_config(self) -> LessonsConfig | None:
        """The `lessons:` settings as the engine's dataclass (None: lessons off)."""
        return LessonsConfig(**self.lessons.model_dump()) if self.lessons else None

    @property
    def lesson_domain(self) -> str:
        """Where this task's lessons are kept: its `domain:`, else its name."""
        return self.domain or self.name

    def engine_config(self) -> EngineConfig:
        """Engine settings as the engine's dataclass."""
        data = self.engine.model_dump(exclude={"map_elites"})
        cells = self.engine.map_elites
        map_elites = (
            MapElitesConfig(tuple(cells.metrics), dict(cells.ranges), cells.bins) if cells else None
        )
        return EngineConfig(**data, map_elites=map_elites)

    def budget_config(self, evaluations: int | None = None, seconds: float | None = None) -> Budget:
        """The YAML's budget, with command-line overrides (held to the same limits)."""
        try:
            budget = BudgetSpec(
                evaluations=evaluations if evaluations is not None else self.budget.evaluations,
                wall_seconds=seconds if seconds is not None else self.budget.wall_seconds,
            )
        except ValidationError as error:
            raise TaskSpecError("budget: " + "; ".join(validation_problems(error))) from None
        return Budget(evaluations=budget.evaluations, wall_seconds=budget.wall_seconds)

    def seed_candidates(self) -> list[str]:
        """Seed candidates as stored text (files read, vectors encoded)."""
        if self.seed is None:
            return []
        items = self.seed if isinstance(self.seed, list) else [self.seed]
        if self.representation == "vector":
            if items and all(isinstance(v, int | float) for v in items):
                items = [items]
            return [encode_vector(self._vector_seed(item)) for item in items]
        return [self._text_seed(item) for item in items]

    def _vector_seed(self, item: Any) -> list[float]:
        if isinstance(item, str):
            item = json.loads(self._read(item))
        if not isinstance(item, list) or len(item) != self.vector.size:
            raise TaskSpecError(f"field `seed`: expected vectors of size {self.vector.size}")
        return [float(v) for v in item]

    def _text_seed(self, item: Any) -> str:
        text = str(item)
        if "\n" not in text and (self.folder / text).is_file():
            return self._read(text)
        if self.representation == "program" and "\n" not in text and text.endswith(".py"):
            raise TaskSpecError(f"field `seed`: file not found: {self.folder / text}")
        return text

    def _read(self, relative: str) -> str:
        path = self.folder / relative
        if not path.is_file():
            raise TaskSpecError(f"field `seed`: file not found: {path}")
        return path.read_text()

    def key(self, seed: int) -> str:
        """Identity of a run of this task: same YAML content and seed -> same key (resume)."""
        unset = {name for name in OPTIONAL_KEYS if getattr(self, name) is None}
        body = self.model_dump_json(exclude={"budget", *unset})  # old YAMLs keep their keys
        return hashlib.sha256(f"{self.folder}\0{body}\0{seed}".encode()).hexdigest()[:32]


def _field(loc: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in loc) or "(top level)"


def validation_problems(error: ValidationError) -> list[str]:
    """One line per pydantic error: the field, what was expected, and the value given."""
    problems = []
    for e in error.errors():
        given = e.get("input")
        shown = ""
        if isinstance(given, bool | int | float | str) and len(repr(given)) <= 40:
            shown = f" (got {given!r})"
        message = e["msg"].removeprefix("Value error, ")
        problems.append(f"field `{_field(e['loc'])}`: {message}{shown}")
    return problems


def parse_task(
    data: Any, folder: Path, source: str = "<task>", *, stored: bool = False
) -> TaskSpec:
    """Validate a task mapping; errors name the source, the field and what was expected.

    `stored`: `data` is a spec a run stored when it was submitted (see `stored_task`).
    """
    if not isinstance(data, dict):
        raise TaskSpecError(
            f"{source}: expected a mapping of task fields, got {type(data).__name__}"
        )
    try:
        spec = TaskSpec.model_validate(data, context={STORED: stored})
    except ValidationError as error:
        raise TaskSpecError(f"{source}: " + "; ".join(validation_problems(error))) from None
    return spec.model_copy(update={"folder": folder})


def stored_task(run: RunRecord, folder: Path | str = ".") -> TaskSpec:
    """The task a run stored (`TaskSpec.model_dump(mode="json")`), read back through the
    parser that validated it, never used as a raw dict: fields added to the contract since
    take their defaults, and checks of the submitting machine (its cores) are not redone.
    `folder` resolves relative evaluator and seed paths (a job keeps its task's folder)."""
    return parse_task(run.spec, Path(folder), f"run {run.id}", stored=True)


def check_task(spec: TaskSpec, source: str) -> None:
    """Checks beyond the fields, done when the task loads rather than at the first
    evaluation: the evaluator's (and `render`'s) file or module defines its function, the
    proposer knows its options, the seed files exist."""
    problems = _function_problems("evaluator", spec.evaluator, spec.folder)
    if spec.render is not None:
        problems += _function_problems("render", spec.render, spec.folder)
    problems += proposer_problems(spec.representation, spec.proposer.kind, spec.proposer.options)
    if problems:
        raise TaskSpecError(f"{source}: " + "; ".join(problems))
    try:
        spec.seed_candidates()
    except TaskSpecError as error:
        raise TaskSpecError(f"{source}: {error}") from None


def _function_problems(field: str, text: str, folder: Path) -> list[str]:
    """Why the function a field names (``file.py:function`` or a module's) cannot be called:
    the file or module is missing, does not parse, or does not define it."""
    try:
        found = evaluator_problem(EvaluatorRef.parse(text, folder))
    except ScienceError as error:
        found = str(error)
    return [f"field `{field}`: {found}"] if found else []


def load_task(path: Path | str) -> TaskSpec:
    """Read and validate a task YAML; evaluator and seed paths resolve against its folder."""
    path = Path(path).expanduser().resolve()
    if path.is_dir():
        path = path / "task.yaml"
    if not path.is_file():
        raise TaskSpecError(f"{path}: no such task file")
    spec = parse_task(read_task_yaml(path), path.parent, str(path))
    check_task(spec, str(path))
    return spec
