"""acknowledgement links (delivery feature): ack_links records each 签收 link issued and its use;
deliveries.first_failed_at dates a run of transient failures, so delivery gives up by age, not by count

Revision ID: 0006
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ack_links",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("notice_key", sa.String(200), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("used_by", sa.String(64), nullable=True),
        sa.Column("uses", sa.Integer(), nullable=False),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index("ix_ack_links_notice_key", "ack_links", ["notice_key"])
    with op.batch_alter_table("deliveries") as batch_op:
        batch_op.add_column(sa.Column("first_failed_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("deliveries") as batch_op:
        batch_op.drop_column("first_failed_at")
    op.drop_index("ix_ack_links_notice_key", table_name="ack_links")
    op.drop_table("ack_links")
