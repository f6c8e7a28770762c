"""unit_overrides: units a coordinator chose for a task whose ledger cell named an ambiguous group
("相关县区政府"), an unknown name or no unit; the latest per (task, written) applies

Revision ID: 0007
Revises: 0006
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "unit_overrides",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("task_id", sa.String(96), sa.ForeignKey("tasks.id"), nullable=False),
        sa.Column("written", sa.Text(), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("units", sa.JSON(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("by", sa.String(64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_unit_overrides_task_id", "unit_overrides", ["task_id"])


def downgrade() -> None:
    op.drop_index("ix_unit_overrides_task_id", table_name="unit_overrides")
    op.drop_table("unit_overrides")
