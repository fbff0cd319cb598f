"""Partner accounts, their requests to add or change sites, the audit trail of both, and
failed logins counted where every worker process sees them.

Revision ID: 0005_partners
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_partners"
down_revision = "0004_site_geography"

_ID = sa.BigInteger().with_variant(sa.Integer, "sqlite")


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("email", sa.Text, nullable=False, unique=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("organization", sa.Text, nullable=False),
        sa.Column("phone", sa.Text, nullable=False),
        sa.Column("role", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("areas", sa.JSON, nullable=False),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("created_at", sa.Text, nullable=False),
    )
    op.create_table(
        "site_requests",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("site_id", sa.Text, nullable=True, index=True),
        sa.Column("user_id", _ID, sa.ForeignKey("users.id"), nullable=False, index=True),
        sa.Column("organization", sa.Text, nullable=False),
        sa.Column("county_fips", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False, index=True),
        sa.Column("fields", sa.JSON, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("created_at", sa.Text, nullable=False),
        sa.Column("updated_at", sa.Text, nullable=False),
    )
    op.create_table(
        "audit_entries",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("at", sa.Text, nullable=False),
        sa.Column("actor", sa.Text, nullable=False),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("subject", sa.Text, nullable=False),
        sa.Column("subject_id", sa.Text, nullable=False),
        sa.Column("fields", sa.JSON, nullable=True),
    )
    op.create_index("ix_audit_entries_subject", "audit_entries", ["subject", "subject_id"])
    op.create_table(
        "login_failures",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("key", sa.Text, nullable=False),
        sa.Column("failed_at_s", sa.Double, nullable=False),
    )
    op.create_index("ix_login_failures_key", "login_failures", ["key", "failed_at_s"])


def downgrade() -> None:
    op.drop_table("login_failures")
    op.drop_table("audit_entries")
    op.drop_table("site_requests")
    op.drop_table("users")
