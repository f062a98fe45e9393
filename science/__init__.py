"""Verification runtime: run evaluators on candidates in killable, resource-limited sandboxes."""

from science.candidate import CandidateFailed, run_candidate
from science.errors import EvaluatorNotFound, SandboxError, ScienceError
from science.evaluation import CascadeStage, EvaluatorRef, Job, Limits
from science.pool import InProcessPool, SandboxPool, VerifierPool
from science.pool_choice import make_pool
from science.verdict import Verdict

__all__ = [
    "CascadeStage",
    "CandidateFailed",
    "EvaluatorNotFound",
    "EvaluatorRef",
    "InProcessPool",
    "Job",
    "Limits",
    "SandboxError",
    "SandboxPool",
    "ScienceError",
    "Verdict",
    "VerifierPool",
    "make_pool",
    "run_candidate",
]
