"""The lineage of a candidate: its chain of first parents back to a seed.

Each stored candidate keeps the content hashes of its parents (`CandidateRecord.parents`);
following the first parent from the run's best candidate walks back through the
mutations and crossovers that made it, down to a seed (a candidate with no parents). A
parent missing from the run (an imported seed, say) ends the chain; a repeated hash ends
it too, so a malformed history can never loop.
"""

from __future__ import annotations

from memory import CandidateRecord, Store
from memory.errors import StoreError

MAX_LINEAGE = 200


def lineage(store: Store, run_id: str, start: CandidateRecord) -> list[CandidateRecord]:
    """`start`, then its first parent, that one's first parent, ... (newest first)."""
    chain = [start]
    seen = {start.hash}
    while chain[-1].parents and len(chain) < MAX_LINEAGE:
        parent = chain[-1].parents[0]
        if parent in seen:
            break
        try:
            chain.append(store.candidate(run_id, parent))
        except StoreError:
            break
        seen.add(parent)
    return chain
