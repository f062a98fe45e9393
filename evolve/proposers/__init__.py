"""Proposers: strategies that suggest new candidates (see `base.Proposer`)."""

from evolve.proposers.base import Proposer, StatelessProposer
from evolve.proposers.registry import DEFAULT_KIND, make_proposer, registered_kinds

__all__ = ["DEFAULT_KIND", "Proposer", "StatelessProposer", "make_proposer", "registered_kinds"]
