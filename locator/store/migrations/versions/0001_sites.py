"""Sites, their programs, population points and the import log (the first release's schema
version 1).

Revision ID: 0001_sites
"""

import sqlalchemy as sa
from alembic import op

revision = "0001_sites"
down_revision = None


def upgrade() -> None:
    op.create_table(
        "sites",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("lat", sa.Double, sa.CheckConstraint("lat BETWEEN -90 AND 90"),
                  nullable=False),
        sa.Column("lon", sa.Double, sa.CheckConstraint("lon BETWEEN -180 AND 180"),
                  nullable=False),
        *(_text(name) for name in (
            "organization", "address", "city", "state", "zip", "county_fips",
            "county_source", "phone", "website", "hours")),
        sa.Column("status", sa.Text, nullable=False, server_default="approved"),
        sa.Column("temporarily_closed", sa.Integer, nullable=False, server_default="0"),
        *(_text(name) for name in (
            "source", "source_id", "vintage", "last_verified")),
        sa.Column("updated_at", sa.Text, nullable=False),
    )
    op.create_index("sites_source", "sites", ["source"])
    op.create_index("sites_state_kind", "sites", ["state", "kind"])
    op.create_table(
        "site_programs",
        sa.Column("site_id", sa.Text, sa.ForeignKey("sites.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("program", sa.Text, primary_key=True),
    )
    op.create_table(
        "population_points",
        sa.Column("id", sa.Text, nullable=False),
        sa.Column("level", sa.Text, sa.CheckConstraint("level IN ('tract', 'county')"),
                  nullable=False),
        sa.Column("state_fips", sa.Text, nullable=False),
        sa.Column("county_fips", sa.Text, nullable=False),
        sa.Column("population", sa.Integer, sa.CheckConstraint("population >= 0"),
                  nullable=False),
        sa.Column("lat", sa.Double, nullable=False),
        sa.Column("lon", sa.Double, nullable=False),
        sa.Column("vintage", sa.Text, nullable=False),
        # (level, id): the order bulk reads by level want.
        sa.PrimaryKeyConstraint("level", "id"),
    )
    op.create_table(
        "imports",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("vintage", sa.Text, nullable=False),
        sa.Column("file", sa.Text, nullable=False),
        sa.Column("sha256", sa.Text, nullable=False),
        sa.Column("imported_at", sa.Text, nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sqlite_autoincrement=True,
    )


def _text(name: str) -> sa.Column[str]:
    return sa.Column(name, sa.Text, nullable=False, server_default="")


def downgrade() -> None:
    for table in ("imports", "population_points", "site_programs", "sites"):
        op.drop_table(table)
