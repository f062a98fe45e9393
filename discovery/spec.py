"""The task contract: a task YAML parsed into a validated `TaskSpec`.

Relative paths (evaluator file, seed files) resolve against the YAML's folder, so a task
runs from anywhere on disk. See ARCHITECTURE.md, "The task contract".
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from discovery.errors import TaskSpecError
from evolve import (
    Budget,
    EngineConfig,
    MapElitesConfig,
    Objective,
    Problem,
    VectorSpace,
    encode_vector,
)
from evolve.loop import Evaluation
from science import CascadeStage, EvaluatorRef, Limits, ScienceError

NAME_PATTERN = r"^[a-z0-9][a-z0-9-]*$"


class ObjectiveSpec(BaseModel):
    """`objective:` which metric to optimize, and in which direction."""

    model_config = ConfigDict(extra="forbid")
    metric: str
    direction: Literal["maximize", "minimize"] = "maximize"


class VectorSpec(BaseModel):
    """`vector:` size and box bounds of a vector candidate."""

    model_config = ConfigDict(extra="forbid")
    size: int = Field(gt=0)
    low: float = 0.0
    high: float = 1.0

    @model_validator(mode="after")
    def _ordered(self) -> VectorSpec:
        if not self.low < self.high:
            raise ValueError(f"low ({self.low}) must be below high ({self.high})")
        return self


class BudgetSpec(BaseModel):
    """`budget:` when to stop."""

    model_config = ConfigDict(extra="forbid")
    evaluations: int | None = Field(default=1000, gt=0)
    wall_seconds: float | None = Field(default=None, gt=0)


class CascadeStageSpec(BaseModel):
    """One stage of `evaluation.cascade`: a cheap evaluator and the threshold its metric must
    clear (`min` or `max`) for the candidate to go on."""

    model_config = ConfigDict(extra="forbid")
    evaluator: str
    metric: str = Field(min_length=1)
    min: float | None = Field(default=None, allow_inf_nan=False)
    max: float | None = Field(default=None, allow_inf_nan=False)

    @model_validator(mode="after")
    def _one_threshold(self) -> CascadeStageSpec:
        if (self.min is None) == (self.max is None):
            raise ValueError("a cascade stage needs exactly one of `min` and `max`")
        return self


class EvaluationSpec(BaseModel):
    """`evaluation:` sandbox limits for one verifier call, and the optional cascade of cheap
    checks before it."""

    model_config = ConfigDict(extra="forbid")
    timeout_seconds: float = Field(default=60.0, gt=0)
    memory_mb: int | None = Field(default=2048, gt=0)
    cpu_seconds: float | None = Field(default=None, gt=0)
    workers: int | None = Field(default=None, gt=0)
    sandbox: bool = True
    num_gpus: float = Field(default=0.0, ge=0)
    cascade: list[CascadeStageSpec] = Field(default_factory=list)


class MapElitesSpec(BaseModel):
    """`engine.map_elites:` cells over named metrics."""

    model_config = ConfigDict(extra="forbid")
    metrics: list[str] = Field(min_length=1)
    ranges: dict[str, tuple[float, float]] = Field(default_factory=dict)
    bins: int = Field(default=10, gt=0)


class EngineSpec(BaseModel):
    """`engine:` population, islands and selection (all optional)."""

    model_config = ConfigDict(extra="forbid")
    islands: int = Field(default=4, gt=0)
    population_size: int = Field(default=40, gt=0)
    batch_size: int = Field(default=8, gt=0)
    parents: int = Field(default=2, gt=0)
    inspirations: int = Field(default=3, ge=0)
    migration_interval: int = Field(default=10, gt=0)
    selection: Literal["puct", "ttt_puct", "weighted"] = "puct"
    exploration: float = Field(default=1.0, ge=0)
    rank_alpha: float = Field(default=1.0, ge=0)
    max_stale_generations: int = Field(default=50, gt=0)
    map_elites: MapElitesSpec | None = None
    novelty: float | None = Field(default=None, ge=0, le=1)


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

    model_config = ConfigDict(extra="forbid")
    name: str = Field(pattern=NAME_PATTERN)
    description: str = ""
    representation: Literal["program", "vector", "smiles", "text"]
    evaluator: str
    params: dict[str, Any] = Field(default_factory=dict)
    objective: ObjectiveSpec
    seed: str | list[Any] | None = None
    vector: VectorSpec | None = None
    budget: BudgetSpec = Field(default_factory=BudgetSpec)
    proposer: ProposerSpec = Field(default_factory=ProposerSpec)
    evaluation: EvaluationSpec = Field(default_factory=EvaluationSpec)
    engine: EngineSpec = Field(default_factory=EngineSpec)
    folder: Path = Field(default=Path("."), exclude=True)

    @field_validator("evaluator")
    @classmethod
    def _evaluator_shape(cls, value: str) -> str:
        if ":" not in value:
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

    def _stage(self, index: int, stage: CascadeStageSpec) -> CascadeStage:
        try:
            ref = EvaluatorRef.parse(stage.evaluator, self.folder)
        except ScienceError as error:
            field = f"evaluation.cascade[{index}].evaluator"
            raise TaskSpecError(f"{self.folder}: field `{field}`: {error}") from error
        return CascadeStage(ref, stage.metric, stage.min, stage.max)

    def engine_config(self) -> EngineConfig:
        """Engine settings as the engine's dataclass."""
        data = self.engine.model_dump(exclude={"map_elites"})
        cells = self.engine.map_elites
        map_elites = (
            MapElitesConfig(tuple(cells.metrics), dict(cells.ranges), cells.bins) if cells else None
        )
        return EngineConfig(**data, map_elites=map_elites)

    def budget_config(self, evaluations: int | None = None, seconds: float | None = None) -> Budget:
        """The YAML's budget, with command-line overrides."""
        return Budget(
            evaluations=evaluations if evaluations is not None else self.budget.evaluations,
            wall_seconds=seconds if seconds is not None else self.budget.wall_seconds,
        )

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
        body = self.model_dump_json(exclude={"budget"})
        return hashlib.sha256(f"{self.folder}\0{body}\0{seed}".encode()).hexdigest()[:32]


def _field(loc: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in loc) or "(top level)"


def parse_task(data: Any, folder: Path, source: str = "<task>") -> TaskSpec:
    """Validate a task mapping; errors name the source, the field and what was expected."""
    if not isinstance(data, dict):
        raise TaskSpecError(
            f"{source}: expected a mapping of task fields, got {type(data).__name__}"
        )
    try:
        spec = TaskSpec.model_validate(data)
    except ValidationError as error:
        problems = [f"field `{_field(e['loc'])}`: {e['msg']}" for e in error.errors()]
        raise TaskSpecError(f"{source}: " + "; ".join(problems)) from None
    return spec.model_copy(update={"folder": folder})


def load_task(path: Path | str) -> TaskSpec:
    """Read and validate a task YAML; evaluator and seed paths resolve against its folder."""
    path = Path(path).expanduser().resolve()
    if path.is_dir():
        path = path / "task.yaml"
    if not path.is_file():
        raise TaskSpecError(f"{path}: no such task file")
    try:
        data = yaml.safe_load(path.read_text())
    except yaml.YAMLError as error:
        where = getattr(error, "problem_mark", None)
        line = f" line {where.line + 1}" if where else ""
        raise TaskSpecError(
            f"{path}{line}: not valid YAML: {getattr(error, 'problem', error)}"
        ) from None
    spec = parse_task(data, path.parent, str(path))
    spec.evaluation_setup()  # fail early on an unknown evaluator
    spec.seed_candidates()  # and on a missing seed file
    return spec
