"""Candidates record the evaluator calls an in-sandbox refinement spent on them.

`inner_calls` counts the calls of the task's evaluator made by engine-side local
refinement to produce a candidate, apart from the candidate's own verification. A database
completed by `create_all` before it was stamped may already hold the column; it is then
left as it is.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _has_column() -> bool:
    columns = sa.inspect(op.get_bind()).get_columns("candidates")
    return any(column["name"] == "inner_calls" for column in columns)


def upgrade() -> None:
    """Add `candidates.inner_calls` (0 for every existing candidate)."""
    if not _has_column():
        with op.batch_alter_table("candidates") as batch:
            batch.add_column(
                sa.Column("inner_calls", sa.Integer(), nullable=False, server_default="0")
            )


def downgrade() -> None:
    """Drop `candidates.inner_calls`."""
    with op.batch_alter_table("candidates") as batch:
        batch.drop_column("inner_calls")
