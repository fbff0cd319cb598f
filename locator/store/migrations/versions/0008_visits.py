"""The visits log of mobile workforce centers: which unit stopped at which site on which
day, and how many customers it served there.

Revision ID: 0008_visits
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_visits"
down_revision = "0007_events"


def upgrade() -> None:
    op.create_table(
        "visits",
        sa.Column("unit", sa.Text, primary_key=True),
        sa.Column("site_id", sa.Text, sa.ForeignKey("sites.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("visit_date", sa.Text, primary_key=True),
        sa.Column("customers_served", sa.Integer, nullable=False),
        sa.Column("recorded_at", sa.Text, nullable=False),
        sa.Column("actor", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("visits")
