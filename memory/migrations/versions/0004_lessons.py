"""The `lessons` table: lessons distilled from runs, with evidence and embeddings.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create `lessons` (a pre-migration store completed by `create_all` may have it)."""
    if sa.inspect(op.get_bind()).has_table("lessons"):
        return
    op.create_table(
        "lessons",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("domain", sa.String(200), nullable=False),
        sa.Column("task_name", sa.String(200), nullable=False),
        sa.Column("run_id", sa.String(32), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("support", sa.Integer(), nullable=False),
        sa.Column("mean_delta", sa.Float(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("embedding", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("domain", "run_id", "key", name="uq_lessons_domain_run_key"),
    )
    op.create_index("ix_lessons_domain", "lessons", ["domain"])


def downgrade() -> None:
    """Drop `lessons`."""
    op.drop_index("ix_lessons_domain", table_name="lessons")
    op.drop_table("lessons")
