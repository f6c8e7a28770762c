"""letter_files: the DOCX, PDF and HTML of each letter as issued (content-addressed blobs);
user_offices: the issuing offices a coordinator or viewer account works for

Revision ID: 0009
Revises: 0008
"""
import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "letter_files",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("letter_key", sa.String(200), sa.ForeignKey("letters.notice_key"), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("letter_key", "kind"),
    )
    op.create_index("ix_letter_files_letter_key", "letter_files", ["letter_key"])
    op.create_index("ix_letter_files_sha256", "letter_files", ["sha256"])
    op.create_table(
        "user_offices",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("office", sa.String(128), nullable=False),
        sa.UniqueConstraint("user_id", "office"),
    )
    op.create_index("ix_user_offices_user_id", "user_offices", ["user_id"])


def downgrade() -> None:
    op.drop_index("ix_user_offices_user_id", table_name="user_offices")
    op.drop_table("user_offices")
    op.drop_index("ix_letter_files_sha256", table_name="letter_files")
    op.drop_index("ix_letter_files_letter_key", table_name="letter_files")
    op.drop_table("letter_files")
