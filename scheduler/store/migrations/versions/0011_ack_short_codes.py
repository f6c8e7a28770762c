"""ack_links.short_hash: the SHA-256 of a 签收 link's short code (/q/<code>), so a letter can print
a short URL; links issued before stay without one until the web fills it (it needs the secret)

Revision ID: 0011
Revises: 0010
"""
import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("ack_links") as batch_op:
        batch_op.add_column(sa.Column("short_hash", sa.String(64), nullable=True))
        batch_op.create_unique_constraint("uq_ack_links_short_hash", ["short_hash"])


def downgrade() -> None:
    with op.batch_alter_table("ack_links") as batch_op:
        batch_op.drop_constraint("uq_ack_links_short_hash", type_="unique")
        batch_op.drop_column("short_hash")
