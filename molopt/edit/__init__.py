"""Molecule editing by a policy over single graph edits (issue 10): edit space, task, policy."""
