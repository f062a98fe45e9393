"""Test-time RL in the loop, as TTT-Discover defines it (Yuksekgonul et al. 2026, "Learning
to Discover at Test Time"): PUCT state reuse over the stored tree (`puct`), the adaptive
entropic advantage (`entropic`), the policy-gradient loss (`loss`) and the small interface
any policy implements to learn from the task in front of it (`policy`)."""

from evolve.ttt.entropic import adaptive_beta, entropic_advantages, leave_one_out_weights
from evolve.ttt.puct import TreeStats, select_states, tree_stats, ttt_puct_scores

__all__ = [
    "TreeStats",
    "adaptive_beta",
    "entropic_advantages",
    "leave_one_out_weights",
    "select_states",
    "tree_stats",
    "ttt_puct_scores",
]
