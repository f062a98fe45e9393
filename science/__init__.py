"""Verification runtime: run evaluators on candidates in killable, resource-limited sandboxes.

Two wings: what an evaluation is and means (`evaluation`: jobs, limits, verdicts;
`verdict_gate`, `structure`, `call`, `cascade`, `refine`, `render`) and where it runs
(`science.sandbox`: confined workers, zygotes, pools, candidate processes); plus the science
tools the verifiers use (`science.vina`: AutoDock Vina docking).
"""

from science.errors import EvaluatorNotFound, SandboxError, ScienceError
from science.evaluation import CascadeStage, EvaluatorRef, Job, Limits
from science.sandbox.candidate import CandidateFailed, run_candidate
from science.sandbox.pool import InProcessPool, SandboxPool, VerifierPool
from science.sandbox.pool_choice import make_pool
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
