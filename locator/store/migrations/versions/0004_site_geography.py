"""PostgreSQL only: each site's point as ``geography(Point, 4326)``, kept by the database
from ``lat``/``lon`` (a generated column, so no writer can let it drift), with GiST indexes
for nearest (``<->``) and radius (``ST_DWithin``) queries on the geography and for box
(``&&``) queries on its lon/lat geometry. SQLite has nothing to do: the KD-trees in
``locator.spatial`` answer every spatial query there.

Revision ID: 0004_site_geography
"""

import sqlalchemy as sa
from alembic import op

from locator.errors import InvalidInput

revision = "0004_site_geography"
down_revision = "0003_change_log"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    _require_postgis()
    op.execute("ALTER TABLE sites ADD COLUMN geog geography(Point, 4326) GENERATED ALWAYS AS "
               "(ST_SetSRID(ST_MakePoint(lon, lat), 4326)::geography) STORED")
    op.execute("CREATE INDEX sites_geog ON sites USING gist (geog)")
    op.execute("CREATE INDEX sites_geom ON sites USING gist ((geog::geometry))")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE sites DROP COLUMN geog")


def _require_postgis() -> None:
    """Create the postgis extension, or say exactly what an administrator must run."""
    bind = op.get_bind()
    if bind.execute(sa.text("SELECT 1 FROM pg_extension WHERE extname = 'postgis'")).first():
        return
    available = bind.execute(sa.text(
        "SELECT 1 FROM pg_available_extensions WHERE name = 'postgis'")).first()
    database = bind.execute(sa.text("SELECT current_database()")).scalar_one()
    if not available:
        raise InvalidInput(
            "PostGIS is not installed on the database server; install it there (Debian: "
            f"apt-get install postgresql-postgis), then run as a superuser: "
            f"psql -d {database} -c 'CREATE EXTENSION postgis;'",
            parameter="LOCATOR_DATABASE_URL", code="postgis_missing")
    allowed = bind.execute(sa.text(
        "SELECT rolsuper OR (SELECT trusted FROM pg_available_extension_versions "
        "WHERE name = 'postgis' AND version = (SELECT default_version FROM "
        "pg_available_extensions WHERE name = 'postgis')) FROM pg_roles "
        "WHERE rolname = current_user")).scalar_one()
    if not allowed:
        user = bind.execute(sa.text("SELECT current_user")).scalar_one()
        raise InvalidInput(
            f"the database user {user!r} may not create the postgis extension in database "
            f"{database!r}; an administrator must run once: "
            f"psql -d {database} -c 'CREATE EXTENSION postgis;'",
            parameter="LOCATOR_DATABASE_URL", code="postgis_missing")
    op.execute("CREATE EXTENSION postgis")
