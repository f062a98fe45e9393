"""The search engine: the evolution loop, selection, populations and proposers."""

from evolve.config import Budget, EngineConfig, MapElitesConfig
from evolve.context import Context, Member, Proposal, Scored
from evolve.errors import EvolveError, SeedFailed, UnknownProposer
from evolve.loop import Evaluation, Evolution, Outcome, Progress
from evolve.problem import Objective, Problem, VectorSpace, decode_vector, encode_vector

__all__ = [
    "Budget",
    "Context",
    "EngineConfig",
    "Evaluation",
    "Evolution",
    "EvolveError",
    "MapElitesConfig",
    "Member",
    "Objective",
    "Outcome",
    "Problem",
    "Progress",
    "Proposal",
    "Scored",
    "SeedFailed",
    "UnknownProposer",
    "VectorSpace",
    "decode_vector",
    "encode_vector",
]
