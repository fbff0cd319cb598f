"""Regions (user-defined groups of whole counties, e.g. local workforce areas) kept in the
database, so a reviewer assigned a region reviews every county in it; and the county an
account's organisation is in, so the area's reviewer can verify a new account.

Revision ID: 0010_regions
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_regions"
down_revision = "0009_change_requests"


def upgrade() -> None:
    op.create_table(
        "regions",
        sa.Column("county_fips", sa.Text, primary_key=True),
        sa.Column("region", sa.Text, nullable=False, index=True),
    )
    op.add_column("users", sa.Column("county_fips", sa.Text, nullable=False,
                                     server_default=""))


def downgrade() -> None:
    op.drop_column("users", "county_fips")
    op.drop_table("regions")
