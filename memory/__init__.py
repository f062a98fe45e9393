"""The memory bank: runs, candidates, scores, lineage and artifacts in a real database."""

from memory.errors import RunNotFound, StoreError
from memory.lessons import LessonBank, LessonNotFound, LessonRecord, NewLesson
from memory.records import CandidateRecord, NewCandidate, RunRecord
from memory.store import Store, candidate_hash

__all__ = [
    "CandidateRecord",
    "LessonBank",
    "LessonNotFound",
    "LessonRecord",
    "NewLesson",
    "NewCandidate",
    "RunNotFound",
    "RunRecord",
    "Store",
    "StoreError",
    "candidate_hash",
]
