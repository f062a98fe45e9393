"""A mixture of the graph GA and the SMILES policy (kind `smiles_mixture`).

Each generation, `policy_share` of the children (rounded) come from the REINVENT agent
(`molopt.policy.proposer.SmilesPolicy`) and the rest from the graph GA
(`molopt.graph_ga.GraphGA`) on the population; both see the same `context.rng` stream, in
that order. The agent is told every scored child, the graph GA's too (REINVENT's loss is a
regression toward prior likelihood plus scaled score, so off-policy molecules are usable),
so the GA's finds pull the language model toward them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from evolve.context import Context, Proposal, Scored
from evolve.errors import ProposerConfigError
from evolve.problem import Problem
from molopt.graph_ga import GraphGA
from molopt.policy.proposer import SmilesPolicy


class SmilesMixture:
    """Graph GA and SMILES policy children in a fixed share; see the module docstring.

    Options: `policy_share` (0.5), `policy` (options of `smiles_policy`), `graph_ga`
    (options of `graph_ga`).
    """

    name = "smiles_mixture"

    def __init__(
        self,
        problem: Problem,
        policy_share: float = 0.5,
        policy: dict[str, Any] | None = None,
        graph_ga: dict[str, Any] | None = None,
    ) -> None:
        if not 0.0 <= policy_share <= 1.0:
            raise ProposerConfigError(
                f"task '{problem.name}': smiles_mixture `policy_share` {policy_share} "
                "must lie in [0, 1]"
            )
        self.problem = problem
        self.policy_share = policy_share
        self.policy = SmilesPolicy(problem, **(policy or {}))
        self.graph_ga = GraphGA(problem, **(graph_ga or {}))

    def propose(self, context: Context, n: int) -> list[Proposal]:
        """`policy_share * n` agent samples, then graph GA children, without repeats."""
        from_policy = self.policy.propose(context, round(self.policy_share * n))
        from_ga = self.graph_ga.propose(context, n - len(from_policy))
        unique = {p.content: p for p in (*from_ga, *from_policy)}
        return list(unique.values())[:n]

    def tell(self, results: Sequence[Scored]) -> None:
        """The agent learns from every scored child; the graph GA keeps no state."""
        self.policy.tell(results)

    def state_dict(self) -> dict[str, Any]:
        """The agent's state (JSON)."""
        return {"policy": self.policy.state_dict()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore the agent."""
        self.policy.load_state_dict(state.get("policy", {}))
