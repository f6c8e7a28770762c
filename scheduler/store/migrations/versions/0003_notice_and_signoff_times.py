"""notices.created_at, notices.acknowledged_at, signoffs.at: when, not only which day

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("notices") as batch_op:
        batch_op.add_column(sa.Column("created_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("signoffs") as batch_op:
        batch_op.add_column(sa.Column("at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("signoffs") as batch_op:
        batch_op.drop_column("at")
    with op.batch_alter_table("notices") as batch_op:
        batch_op.drop_column("acknowledged_at")
        batch_op.drop_column("created_at")
