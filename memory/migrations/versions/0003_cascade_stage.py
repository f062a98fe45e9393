"""Candidates record the evaluator-cascade stage that stopped them.

`stage` is the index of the cascade stage at which a candidate fell below its threshold (it
was never given to the main evaluator); NULL for a candidate that reached the main evaluator,
and for every candidate stored before cascades existed.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add `candidates.stage` (NULL for every existing candidate)."""
    columns = sa.inspect(op.get_bind()).get_columns("candidates")
    if not any(column["name"] == "stage" for column in columns):
        with op.batch_alter_table("candidates") as batch:
            batch.add_column(sa.Column("stage", sa.Integer(), nullable=True))


def downgrade() -> None:
    """Drop `candidates.stage`."""
    with op.batch_alter_table("candidates") as batch:
        batch.drop_column("stage")
