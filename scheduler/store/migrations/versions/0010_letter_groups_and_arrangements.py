"""notices.letter_key: the key of the letter that carries a notice (one letter per unit, level and
day lists all its tasks); notices.arrangement: an interview's time, place, attendees and contact

Revision ID: 0010
Revises: 0009
"""
import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("notices") as batch_op:
        batch_op.add_column(sa.Column("letter_key", sa.String(200), nullable=True))
        batch_op.add_column(sa.Column("arrangement", sa.JSON(), nullable=True))
        batch_op.create_index("ix_notices_letter_key", ["letter_key"])


def downgrade() -> None:
    with op.batch_alter_table("notices") as batch_op:
        batch_op.drop_index("ix_notices_letter_key")
        batch_op.drop_column("arrangement")
        batch_op.drop_column("letter_key")
