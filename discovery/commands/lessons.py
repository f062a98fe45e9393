"""`discover lessons list|show|export|delete`: the lessons the memory bank holds.

discover lessons list [--domain D] [--task T] [--json]
discover lessons show ID [--json]
discover lessons export FILE.jsonl [--domain D]     # one lesson per line, with evidence
discover lessons delete ID [ID ...]                 # all or nothing
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from discovery.commands.options import DbOption, HomeOption, JsonOption, open_home_store
from memory import LessonBank, LessonRecord

app = typer.Typer(
    help="Lessons distilled from runs (shared by tasks of one domain).", no_args_is_help=True
)

DomainOption = Annotated[str | None, typer.Option(help="Only lessons of this domain")]
MAX_TEXT = 90


def _bank(home: Path | None, db: str | None) -> LessonBank:
    store, _ = open_home_store(home, db)
    return LessonBank(store)


def _public(lesson: LessonRecord) -> dict:
    data = lesson.to_json()
    data.pop("embedding")
    return data


@app.command("list")
def list_command(
    domain: DomainOption = None,
    task: Annotated[str | None, typer.Option(help="Only lessons of this task")] = None,
    home: HomeOption = None,
    db: DbOption = None,
    json_output: JsonOption = False,
) -> None:
    """List lessons, newest first."""
    lessons = _bank(home, db).find(domain=domain, task_name=task)
    if json_output:
        print(json.dumps([_public(lesson) for lesson in lessons]))
        return
    print(f"{'id':>5}  {'domain':<20}{'kind':<11}{'support':>7}  text")
    for lesson in lessons:
        text = lesson.text if len(lesson.text) <= MAX_TEXT else lesson.text[: MAX_TEXT - 3] + "..."
        print(
            f"{lesson.id:>5}  {lesson.domain[:19]:<20}{lesson.kind:<11}{lesson.support:>7}  {text}"
        )


@app.command("show")
def show_command(
    lesson_id: Annotated[int, typer.Argument(metavar="ID")],
    home: HomeOption = None,
    db: DbOption = None,
    json_output: JsonOption = False,
) -> None:
    """Show one lesson with its evidence."""
    lesson = _bank(home, db).get(lesson_id)
    if json_output:
        print(json.dumps(_public(lesson)))
        return
    print(f"# lesson {lesson.id} ({lesson.kind}), domain {lesson.domain}, task {lesson.task_name}")
    print(f"# run {lesson.run_id}, support {lesson.support}, mean gain {lesson.mean_delta:+.4g}")
    print(lesson.text)
    print("# evidence")
    print(json.dumps(lesson.evidence, indent=2))


@app.command("export")
def export_command(
    path: Annotated[Path, typer.Argument(help="JSON Lines file to write")],
    domain: DomainOption = None,
    home: HomeOption = None,
    db: DbOption = None,
    json_output: JsonOption = False,
) -> None:
    """Write lessons (with evidence and embeddings) to a JSON Lines file."""
    lessons = _bank(home, db).find(domain=domain)
    path.write_text("".join(json.dumps(lesson.to_json()) + "\n" for lesson in lessons))
    if json_output:
        print(json.dumps({"exported": len(lessons), "path": str(path)}))
    else:
        print(f"{len(lessons)} lessons written to {path}")


@app.command("delete")
def delete_command(
    lesson_ids: Annotated[list[int], typer.Argument(metavar="ID...")],
    home: HomeOption = None,
    db: DbOption = None,
    json_output: JsonOption = False,
) -> None:
    """Delete lessons by id (an unknown id deletes nothing)."""
    deleted = _bank(home, db).delete(lesson_ids)
    if json_output:
        print(json.dumps({"deleted": deleted}))
    else:
        print(f"{deleted} lessons deleted")
