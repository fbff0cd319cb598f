"""Each site's IANA time zone, stored with the site: derived offline from its point
(``locator.timezones``), filled here for the sites already stored and written by the store
with every later write of a site, so hours are read in a zone nobody has to look up.

Revision ID: 0012_site_timezone
"""

import sqlalchemy as sa
from alembic import op

from locator.timezones import zone_name_at

revision = "0012_site_timezone"
down_revision = "0010_regions"

_CHUNK = 1000


def upgrade() -> None:
    op.add_column("sites", sa.Column("timezone", sa.Text, nullable=False, server_default=""))
    bind = op.get_bind()
    sites = sa.table("sites", sa.column("id", sa.Text), sa.column("lat", sa.Double),
                     sa.column("lon", sa.Double), sa.column("timezone", sa.Text))
    rows = [{"site_id": site_id, "zone": zone_name_at(lat, lon)}
            for site_id, lat, lon in bind.execute(sa.select(sites.c.id, sites.c.lat,
                                                            sites.c.lon))]
    statement = (sa.update(sites).where(sites.c.id == sa.bindparam("site_id"))
                 .values(timezone=sa.bindparam("zone")))
    for start in range(0, len(rows), _CHUNK):
        bind.execute(statement, rows[start:start + _CHUNK])


def downgrade() -> None:
    op.drop_column("sites", "timezone")
