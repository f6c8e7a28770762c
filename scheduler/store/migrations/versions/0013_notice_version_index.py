"""ix_notices_task_version: the incremental sweep counts each task's notices and sums their versions
from this index alone, instead of reading every notice row

Revision ID: 0013
Revises: 0012
"""
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_notices_task_version", "notices", ["task_id", "version_id"])


def downgrade() -> None:
    op.drop_index("ix_notices_task_version", table_name="notices")
