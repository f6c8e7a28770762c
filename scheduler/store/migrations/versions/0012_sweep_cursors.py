"""sweep_cursors and sweep_world: the incremental sweep's cache (next firing day per task); empty
tables are filled by the next sweep, which then evaluates every task once

Revision ID: 0012
Revises: 0011
"""
import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sweep_cursors",
        sa.Column("task_id", sa.String(96), primary_key=True),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("next_on", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("notices", sa.Integer(), nullable=False),
        sa.Column("notice_versions", sa.Integer(), nullable=False),
    )
    op.create_table(
        "sweep_world",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("marks", sa.JSON(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("sweep_world")
    op.drop_table("sweep_cursors")
