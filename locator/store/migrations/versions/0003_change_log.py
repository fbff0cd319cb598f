"""The data version and the change log: every process learns cheaply that something changed
and which sites, and the log records who changed what (the audit trail).

Revision ID: 0003_change_log
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_change_log"
down_revision = "0002_import_retirements"


def upgrade() -> None:
    version = op.create_table(
        "data_version",
        sa.Column("id", sa.Integer, sa.CheckConstraint("id = 1"), primary_key=True),
        sa.Column("version", sa.BigInteger, nullable=False),
    )
    op.bulk_insert(version, [{"id": 1, "version": 0}])
    op.create_table(
        "changes",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True,
                  autoincrement=True),
        sa.Column("version", sa.BigInteger, nullable=False),
        sa.Column("changed_at", sa.Text, nullable=False),
        sa.Column("actor", sa.Text, nullable=False),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("site_id", sa.Text, nullable=True),
        sa.Column("fields", sa.JSON, nullable=True),
    )
    op.create_index("ix_changes_version", "changes", ["version"])
    op.create_index("ix_changes_site_id", "changes", ["site_id"])


def downgrade() -> None:
    op.drop_table("changes")
    op.drop_table("data_version")
