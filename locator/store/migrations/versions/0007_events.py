"""Events (workshops, job fairs, hiring events, trainings) held at a site.

Start and end are stored as UTC instants in ISO-8601 text of one fixed layout, so that
comparing two compares the same strings on every engine; ``zone`` is the site's IANA zone,
in which the event is shown.

Revision ID: 0007_events
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_events"
down_revision = "0006_site_roles"


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("site_id", sa.Text, sa.ForeignKey("sites.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("start_utc", sa.Text, nullable=False),
        sa.Column("end_utc", sa.Text, nullable=False),
        sa.Column("zone", sa.Text, nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("registration_url", sa.Text, nullable=False),
        sa.Column("phone", sa.Text, nullable=False),
        sa.Column("capacity", sa.Integer, nullable=True),
        sa.Column("languages", sa.JSON, nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("updated_at", sa.Text, nullable=False),
    )
    op.create_index("ix_events_site_id", "events", ["site_id"])
    op.create_index("ix_events_end_utc", "events", ["end_utc"])


def downgrade() -> None:
    op.drop_table("events")
