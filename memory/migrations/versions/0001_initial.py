"""The store as it stood before migrations: runs, candidates, artifacts, jobs.

Databases created by `create_all` before migrations existed hold exactly this schema and
are stamped with this revision when first opened.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _stamp(name: str) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False)


def upgrade() -> None:
    """Create the four tables of the memory bank and their indexes."""
    op.create_table(
        "runs",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("task_name", sa.String(200), nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("spec", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("seed", sa.Integer(), nullable=False),
        sa.Column("evaluations", sa.Integer(), nullable=False),
        sa.Column("elapsed_seconds", sa.Float(), nullable=False),
        sa.Column("best_fitness", sa.Float(), nullable=True),
        sa.Column("engine_state", sa.JSON(), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        _stamp("created_at"),
        _stamp("updated_at"),
    )
    op.create_index("ix_runs_task_name", "runs", ["task_name"])
    op.create_index("ix_runs_key", "runs", ["key"])
    op.create_table(
        "candidates",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "run_id", sa.String(32), sa.ForeignKey("runs.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("representation", sa.String(20), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("parents", sa.JSON(), nullable=False),
        sa.Column("metrics", sa.JSON(), nullable=False),
        sa.Column("fitness", sa.Float(), nullable=True),
        sa.Column("valid", sa.Boolean(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("feedback", sa.Text(), nullable=False),
        sa.Column("proposer", sa.String(100), nullable=False),
        sa.Column("island", sa.Integer(), nullable=False),
        sa.Column("cell", sa.String(200), nullable=True),
        sa.Column("eval_seconds", sa.Float(), nullable=False),
        _stamp("created_at"),
        sa.UniqueConstraint("run_id", "n", name="uq_candidates_run_n"),
        sa.UniqueConstraint("run_id", "hash", name="uq_candidates_run_hash"),
    )
    op.create_index("ix_candidates_run_fitness", "candidates", ["run_id", "valid", "fitness"])
    op.create_index(
        "ix_candidates_run_island_fitness", "candidates", ["run_id", "island", "fitness"]
    )
    op.create_index("ix_candidates_run_cell", "candidates", ["run_id", "cell"])
    op.create_table(
        "artifacts",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "candidate_id",
            sa.Integer(),
            sa.ForeignKey("candidates.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("data", sa.JSON(), nullable=False),
    )
    op.create_index("ix_artifacts_candidate_id", "artifacts", ["candidate_id"])
    op.create_table(
        "jobs",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column(
            "run_id", sa.String(32), sa.ForeignKey("runs.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("folder", sa.Text(), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("request", sa.String(20), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        _stamp("created_at"),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        _stamp("updated_at"),
    )
    op.create_index("ix_jobs_run_id", "jobs", ["run_id"])
    op.create_index("ix_jobs_state_priority", "jobs", ["state", "priority", "created_at"])


def downgrade() -> None:
    """Drop the memory bank (every run is lost)."""
    for table in ("jobs", "artifacts", "candidates", "runs"):
        op.drop_table(table)
