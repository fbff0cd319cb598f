"""A place can serve in more roles than its kind: a library that is also an access site is
one site with the extra role, so search by either kind finds the same place.

Revision ID: 0006_site_roles
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_site_roles"
down_revision = "0005_partners"


def upgrade() -> None:
    op.create_table(
        "site_roles",
        sa.Column("site_id", sa.Text, sa.ForeignKey("sites.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("kind", sa.Text, primary_key=True),
    )


def downgrade() -> None:
    op.drop_table("site_roles")
