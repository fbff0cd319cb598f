"""Which retirements an import made, so a site that reappears in a later vintage comes back,
while one a reviewer retired (or touched since) stays as the reviewer left it (the first
release's schema version 2).

Revision ID: 0002_import_retirements
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_import_retirements"
down_revision = "0001_sites"


def upgrade() -> None:
    op.create_table(
        "import_retirements",
        sa.Column("site_id", sa.Text, sa.ForeignKey("sites.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("vintage", sa.Text, nullable=False),
        sa.Column("retired_at", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("import_retirements")
