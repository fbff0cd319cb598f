"""What a partner's approved requests add to a place besides roles and programs: the
partnership types (joint location, signed MOU, ...) and the contact person for the listing,
so that edits to live sites can be reviewed and applied as change requests.

Revision ID: 0009_change_requests
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_change_requests"
down_revision = "0008_visits"


def upgrade() -> None:
    op.add_column("sites", sa.Column("contact", sa.Text, nullable=False, server_default=""))
    op.create_table(
        "site_partnership_types",
        sa.Column("site_id", sa.Text, sa.ForeignKey("sites.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("partnership_type", sa.Text, primary_key=True),
    )


def downgrade() -> None:
    op.drop_table("site_partnership_types")
    # A plain DROP COLUMN (SQLite 3.35 and later have it): a batch copy of ``sites`` would
    # lose its CHECK constraints.
    op.drop_column("sites", "contact")
