"""What a task submitted over HTTP may name and run, and what its error may say back.

`discover submit` acts with its user's own rights. A request to the daemon's API acts with
the daemon's rights on behalf of any local process (or web page: see `discovery.api_guard`),
so `admit_remote_task` holds it to more than `load_task` does:

- the task YAML lies under one of the configured task roots (``--task-root``; default
  `default_task_roots`), symlinks followed, so ``{"task": "/etc/shadow"}`` is refused
  before anything is read;
- its evaluator file and its seed files lie under a root too, checked before they are read
  (no file outside the roots is opened, so the answer says nothing of what exists there);
- ``evaluation.sandbox`` stays on: unconfined evaluation is for the local CLI only;
- the proposer is a registered kind: a ``module:Class`` kind would run any importable
  class in the job process, outside the sandbox.

A refused task raises `RemoteTaskRefused`. A malformed one raises `TaskSpecError` whose text
`public_task_error` strips of anything the file holds (unknown field names, quoted values,
paths derived from values, YAML snippets) before it goes into the HTTP answer.
"""

from __future__ import annotations

import re
import typing
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel

from discovery.errors import DiscoveryError
from discovery.spec import TaskSpec, load_task
from evolve.proposers.registry import registered_kinds

TASKS_FOLDER = "tasks"  # under the daemon's home: a default task root
MAX_TASK_BYTES = 1 << 20  # read before `load_task` to check paths; a task YAML is a few KB
WITHHELD = "…"
BUILTIN_TASKS = Path(__file__).resolve().parent.parent / TASKS_FOLDER


class RemoteTaskRefused(DiscoveryError):
    """A task submitted over HTTP asks for what only the local CLI may (the message says which)."""


def default_task_roots(home: Path) -> tuple[Path, ...]:
    """``HOME/tasks``, and the task library beside the package when it ships one."""
    roots = [home / TASKS_FOLDER]
    if BUILTIN_TASKS.is_dir():
        roots.append(BUILTIN_TASKS)
    return tuple(root.resolve() for root in roots)


def is_under(path: Path, roots: tuple[Path, ...]) -> bool:
    """Whether `path`, symlinks resolved, lies inside one of `roots` (resolved too)."""
    resolved = path.resolve()
    return any(resolved.is_relative_to(root.resolve()) for root in roots)


def resolve_task_path(text: str, roots: tuple[Path, ...]) -> Path:
    """The task YAML named by a request: absolute, or relative to the first root holding it."""
    given = Path(text).expanduser()
    if given.is_absolute():
        candidates = [given]
    else:
        candidates = [root / given for root in roots]
        candidates = [c for c in candidates if c.exists()] or candidates[:1]
    path = candidates[0] if candidates else given
    if path.is_dir():
        path = path / "task.yaml"
    if not roots or not is_under(path, roots):
        listed = ", ".join(str(root) for root in roots) or "none"
        raise RemoteTaskRefused(
            f"task {text!r} is outside the daemon's task roots ({listed}); put it under one, "
            "or start the daemon with --task-root FOLDER"
        )
    return path.resolve()


def _named_files(data: dict[str, Any], folder: Path) -> list[tuple[str, Path]]:
    """(field, path) of every file the YAML may name: evaluator and render files, one-line seeds."""
    named = []
    for field in ("evaluator", "render"):
        ref = data.get(field)
        if isinstance(ref, str) and ":" in ref:
            target = ref.rsplit(":", 1)[0]
            if target.endswith(".py") or "/" in target:
                named.append((field, folder / target))
    seeds = data.get("seed")
    for item in seeds if isinstance(seeds, list) else [seeds]:
        if isinstance(item, str) and item and "\n" not in item:
            named.append(("seed", folder / item))
    return named


def check_named_files(path: Path, roots: tuple[Path, ...]) -> None:
    """Refuse a task whose evaluator or seed names a file outside the roots (nothing read there).

    A one-line seed that is inline text (a SMILES, say) resolves inside the task's folder and
    passes; one that would resolve outside the roots is refused whether or not it exists.
    """
    if path.stat().st_size > MAX_TASK_BYTES:
        raise RemoteTaskRefused(f"task {path}: larger than {MAX_TASK_BYTES} bytes")
    try:
        data = yaml.safe_load(path.read_text(errors="replace"))
    except yaml.YAMLError:
        return  # `load_task` reports it
    if not isinstance(data, dict):
        return
    for field, named in _named_files(data, path.parent):
        if not is_under(named, roots):
            raise RemoteTaskRefused(
                f"task {path}: field `{field}` names a file outside the daemon's task roots; "
                "keep evaluator and seed files beside the task"
            )


def check_remote_spec(spec: TaskSpec) -> None:
    """Refuse what only the local CLI may ask for: no sandbox, an unregistered proposer class."""
    if not spec.evaluation.sandbox:
        raise RemoteTaskRefused(
            f"task {spec.name}: `evaluation.sandbox: false` is accepted only from the local "
            "CLI (`discover submit`), never over HTTP"
        )
    kind = spec.proposer.kind
    if kind is not None and kind not in registered_kinds():
        raise RemoteTaskRefused(
            f"task {spec.name}: over HTTP `proposer.kind` must be a registered kind "
            f"({', '.join(sorted(registered_kinds()))}); `module:Class` kinds run unconfined "
            "code in the job process and are accepted only from the local CLI"
        )


def admit_remote_task(text: str, roots: tuple[Path, ...]) -> TaskSpec:
    """Validate a task named in an HTTP request; `RemoteTaskRefused` or `TaskSpecError` if not."""
    path = resolve_task_path(text, roots)
    if path.is_file():
        check_named_files(path, roots)
    spec = load_task(path)
    check_remote_spec(spec)
    return spec


# what an error may say -------------------------------------------------------------------


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    """The pydantic models an annotation refers to (through unions, lists, dicts)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [model for arg in typing.get_args(annotation) for model in _models_in(arg)]


def _literals_in(annotation: Any) -> set[str]:
    if typing.get_origin(annotation) is typing.Literal:
        return {str(value) for value in typing.get_args(annotation)}
    return {lit for arg in typing.get_args(annotation) for lit in _literals_in(arg)}


def schema_vocabulary(model: type[BaseModel] = TaskSpec) -> tuple[set[str], set[str]]:
    """Field names and literal values of the task schema: the words an error may repeat."""
    names: set[str] = set()
    literals: set[str] = set()
    seen: set[type[BaseModel]] = set()
    pending = [model]
    while pending:
        current = pending.pop()
        seen.add(current)
        for name, field in current.model_fields.items():
            names.add(name)
            literals |= _literals_in(field.annotation)
            pending.extend(m for m in _models_in(field.annotation) if m not in seen)
    return names, literals


_NAMES, _LITERALS = schema_vocabulary()
_BACKTICKED = re.compile(r"`([^`]*)`")
_QUOTED = re.compile(r"'([^']*)'")
_YAML_PROBLEM = re.compile(r"(not valid YAML)(:.*?)(?=; |$)", re.DOTALL)


def _field_path(match: re.Match[str]) -> str:
    parts = match.group(1).split(".")
    known = all(part in _NAMES or part.isdigit() or part == "(top level)" for part in parts)
    return match.group(0) if known else f"`{WITHHELD}`"


def _quoted(match: re.Match[str]) -> str:
    return match.group(0) if match.group(1) in _LITERALS else f"'{WITHHELD}'"


def public_task_error(message: str, path: Path | str) -> str:
    """A task error fit for an HTTP answer: file content withheld, the shape of the fault kept.

    Kept: the task path, line numbers, field paths of the schema, pydantic's explanations
    and the schema's literal values. Withheld (as ``…``): field names the schema does not
    have (``/etc/shadow``'s lines parse as such), quoted values, paths other than the task's
    (seed and evaluator paths come from values) and the YAML parser's snippet of the file.
    """
    task = str(path)
    body = message[len(task) :] if message.startswith(task) else f": {message}"
    body = _YAML_PROBLEM.sub(r"\1", body)
    body = _BACKTICKED.sub(_field_path, body)
    body = _QUOTED.sub(_quoted, body)
    words = [WITHHELD if _is_path(word) else word for word in body.split(" ")]
    return task + " ".join(words)


def _is_path(word: str) -> bool:
    return "/" in word and not word.startswith(("`", "'"))
