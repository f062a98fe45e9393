"""Structured editing tasks from TOMG-Bench's own wording or short forms.

A task is a `molopt.repo.edits.EditGoal`: the subtask (QED / LogP / MR for MolOpt,
AddComponent / DelComponent / SubComponent for MolEdit), the direction (+1 / -1) of a
property, and the group to add and / or remove. Understood:

- TOMG-Bench's MolOpt templates ("Modify the molecule S to increase its QED value.",
  "Please optimize the molecule S to have a lower LogP value.", ...) and the short form
  "increase QED" / "decrease LogP" / "higher MR" / "lower QED";
- TOMG-Bench's MolEdit templates ("Please add a hydroxyl to the molecule S.",
  "Remove a halo from the molecule S.", "Replace a nitro in the molecule S by amine.",
  "Modify the molecule S by substituting a halo with thiol.", ...) and the short forms
  "add hydroxyl", "remove halo", "replace halo with thiol" / "substitute halo by thiol".

The molecule named inside a template is ignored here (the SMILES is given apart).
"""

from __future__ import annotations

import re

from molopt.edit.errors import TaskParseError
from molopt.edit.groups import GROUPS, group_name
from molopt.repo.edits import EditGoal

_GROUP = "(?P<{name}>[a-z_ ]+?)"
_PROPERTY = r"(?P<prop>qed|logp|mr)"
_MOLECULE = r"(?:(?:to|from|in) the molecule \S+?|)"
PROPERTY_NAMES = {"qed": "QED", "logp": "LogP", "mr": "MR"}
UP_WORDS = ("increase", "higher", "raise", "improve", "maximize")
DOWN_WORDS = ("decrease", "lower", "reduce", "minimize")

# (subtask, pattern) in the order tried; every pattern is matched against the whole text,
# lower-cased, with the molecule's SMILES cut out and runs of spaces collapsed.
TEMPLATES: tuple[tuple[str, str], ...] = (
    (
        "opt",
        r"(?:please )?(?:modify|optimize) the molecule +to (?:have an? )?"
        rf"(?P<dir>increase|decrease|higher|lower) (?:its )?{_PROPERTY} value",
    ),
    ("opt", rf"(?P<dir>{'|'.join(UP_WORDS + DOWN_WORDS)}) (?:the )?{_PROPERTY}(?: value)?"),
    ("add", rf"(?:please )?add an? {_GROUP.format(name='added')} to the molecule"),
    ("add", rf"modify the molecule +by adding an? {_GROUP.format(name='added')}"),
    ("add", rf"add (?:an? )?{_GROUP.format(name='added')}"),
    ("del", rf"(?:please )?remove an? {_GROUP.format(name='removed')} from the molecule"),
    ("del", rf"modify the molecule +by removing an? {_GROUP.format(name='removed')}"),
    ("del", rf"(?:remove|delete) (?:an? )?{_GROUP.format(name='removed')}"),
    (
        "sub",
        r"(?:please )?(?:substitute|replace) an? "
        rf"{_GROUP.format(name='removed')} in the molecule +(?:with|by) (?:an? )?"
        rf"{_GROUP.format(name='added')}",
    ),
    (
        "sub",
        r"modify the molecule +by (?:substituting|replacing) an? "
        rf"{_GROUP.format(name='removed')} (?:with|by) (?:an? )?{_GROUP.format(name='added')}",
    ),
    (
        "sub",
        r"(?:substitute|replace) (?:an? )?"
        rf"{_GROUP.format(name='removed')} (?:with|by) (?:an? )?{_GROUP.format(name='added')}",
    ),
)
UNDERSTOOD = (
    '"increase QED" / "decrease LogP" / "higher MR" (QED, LogP, MR), '
    '"add hydroxyl", "remove halo", "replace halo with thiol", and TOMG-Bench\'s own '
    'templates ("Modify the molecule S to increase its QED value.", '
    '"Please add a hydroxyl to the molecule S.", "Remove a halo from the molecule S.", '
    '"Substitute a nitro in the molecule S with amine.", ...); groups: ' + ", ".join(GROUPS)
)


def _clean(text: str, smiles: str | None) -> str:
    if smiles:
        text = text.replace(smiles, " ")
    text = re.sub(r"(the molecule)\s+\S*[0-9()=#\[\]@/\\]\S*", r"\1 ", text)
    return " ".join(text.lower().rstrip(" .!").split())


def _group(text: str, task_text: str) -> str:
    name = group_name(text)
    if name not in GROUPS:
        raise TaskParseError(
            f"task '{task_text}': unknown group '{text.strip()}'; groups understood: "
            + ", ".join(GROUPS)
        )
    return name


def _goal(kind: str, match: re.Match, task_text: str) -> EditGoal:
    if kind == "opt":
        direction = -1 if match["dir"] in DOWN_WORDS else 1
        return EditGoal(PROPERTY_NAMES[match["prop"]], direction=direction)
    if kind == "add":
        return EditGoal("AddComponent", added=_group(match["added"], task_text))
    if kind == "del":
        return EditGoal("DelComponent", removed=_group(match["removed"], task_text))
    return EditGoal(
        "SubComponent",
        added=_group(match["added"], task_text),
        removed=_group(match["removed"], task_text),
    )


def parse_task(text: str, smiles: str | None = None) -> EditGoal:
    """The structured goal of a task text (see module); `smiles` is cut out first if given.

    Raises `TaskParseError` naming the forms understood when nothing matches.
    """
    cleaned = _clean(text, smiles)
    for kind, pattern in TEMPLATES:
        match = re.fullmatch(pattern, cleaned)
        if match:
            return _goal(kind, match, text)
    raise TaskParseError(f"task '{text.strip()[:200]}' is not understood; use {UNDERSTOOD}")
