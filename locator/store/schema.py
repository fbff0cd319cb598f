"""The tables as this code reads and writes them (the migrations build them, step by step).

Column types are the engine-neutral SQLAlchemy ones, so the same statements run on SQLite
and PostgreSQL. Timestamps stay ISO-8601 text, as the first release stored them, so that
comparing two of them compares the same strings on every engine.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

sites = sa.Table(
    "sites", metadata,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("lat", sa.Double, nullable=False),
    sa.Column("lon", sa.Double, nullable=False),
    sa.Column("organization", sa.Text, nullable=False),
    sa.Column("address", sa.Text, nullable=False),
    sa.Column("city", sa.Text, nullable=False),
    sa.Column("state", sa.Text, nullable=False),
    sa.Column("zip", sa.Text, nullable=False),
    sa.Column("county_fips", sa.Text, nullable=False),
    sa.Column("county_source", sa.Text, nullable=False),
    sa.Column("phone", sa.Text, nullable=False),
    sa.Column("website", sa.Text, nullable=False),
    sa.Column("hours", sa.Text, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    # Integer 0/1, as the first release stored it, on every engine.
    sa.Column("temporarily_closed", sa.Integer, nullable=False),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("source_id", sa.Text, nullable=False),
    sa.Column("vintage", sa.Text, nullable=False),
    sa.Column("last_verified", sa.Text, nullable=False),
    sa.Column("updated_at", sa.Text, nullable=False),
    sa.Column("contact", sa.Text, nullable=False, server_default=""),
    # The IANA zone at the site's point (``locator.timezones``), written with the point.
    sa.Column("timezone", sa.Text, nullable=False, server_default=""),
)

site_programs = sa.Table(
    "site_programs", metadata,
    sa.Column("site_id", sa.Text, sa.ForeignKey("sites.id", ondelete="CASCADE"),
              primary_key=True),
    sa.Column("program", sa.Text, primary_key=True),
)

# Kinds a site serves as besides its own ``kind`` (a library that is also an access site).
site_roles = sa.Table(
    "site_roles", metadata,
    sa.Column("site_id", sa.Text, sa.ForeignKey("sites.id", ondelete="CASCADE"),
              primary_key=True),
    sa.Column("kind", sa.Text, primary_key=True),
)

# The partnership types a partner's approved request gave a place (``PARTNERSHIP_TYPES``).
site_partnership_types = sa.Table(
    "site_partnership_types", metadata,
    sa.Column("site_id", sa.Text, sa.ForeignKey("sites.id", ondelete="CASCADE"),
              primary_key=True),
    sa.Column("partnership_type", sa.Text, primary_key=True),
)

population_points = sa.Table(
    "population_points", metadata,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("level", sa.Text, primary_key=True),
    sa.Column("state_fips", sa.Text, nullable=False),
    sa.Column("county_fips", sa.Text, nullable=False),
    sa.Column("population", sa.Integer, nullable=False),
    sa.Column("lat", sa.Double, nullable=False),
    sa.Column("lon", sa.Double, nullable=False),
    sa.Column("vintage", sa.Text, nullable=False),
)

imports = sa.Table(
    "imports", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("vintage", sa.Text, nullable=False),
    sa.Column("file", sa.Text, nullable=False),
    sa.Column("sha256", sa.Text, nullable=False),
    sa.Column("imported_at", sa.Text, nullable=False),
    sa.Column("summary", sa.Text, nullable=False),
)

import_retirements = sa.Table(
    "import_retirements", metadata,
    sa.Column("site_id", sa.Text, sa.ForeignKey("sites.id", ondelete="CASCADE"),
              primary_key=True),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("vintage", sa.Text, nullable=False),
    sa.Column("retired_at", sa.Text, nullable=False),
)

# One row: the version every committed change bumps, so a process asks one cheap question
# per request to learn whether anything changed.
data_version = sa.Table(
    "data_version", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("version", sa.BigInteger, nullable=False),
)

# The change log: which sites each version changed, and, for the audit trail, who changed
# which fields from what to what. ``site_id`` has no foreign key: the record of a change
# outlives the row it describes.
changes = sa.Table(
    "changes", metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True,
              autoincrement=True),
    sa.Column("version", sa.BigInteger, nullable=False, index=True),
    sa.Column("changed_at", sa.Text, nullable=False),
    sa.Column("actor", sa.Text, nullable=False),
    sa.Column("action", sa.Text, nullable=False),
    sa.Column("site_id", sa.Text, nullable=True, index=True),
    sa.Column("fields", sa.JSON, nullable=True),
)

# Events at a site. Times are UTC instants as ``YYYY-MM-DDTHH:MM:SS+00:00`` text (one layout,
# so text order is time order on every engine); ``zone`` is the site's, to show them in.
events = sa.Table(
    "events", metadata,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("site_id", sa.Text, sa.ForeignKey("sites.id", ondelete="CASCADE"),
              nullable=False, index=True),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("start_utc", sa.Text, nullable=False),
    sa.Column("end_utc", sa.Text, nullable=False, index=True),
    sa.Column("zone", sa.Text, nullable=False),
    sa.Column("description", sa.Text, nullable=False),
    sa.Column("registration_url", sa.Text, nullable=False),
    sa.Column("phone", sa.Text, nullable=False),
    sa.Column("capacity", sa.Integer, nullable=True),
    sa.Column("languages", sa.JSON, nullable=False),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("updated_at", sa.Text, nullable=False),
)

# One row per visit of a mobile unit to a stop: recording the same visit again replaces it,
# so a log imported twice counts each visit once. ``visit_date`` is ``YYYY-MM-DD``.
visits = sa.Table(
    "visits", metadata,
    sa.Column("unit", sa.Text, primary_key=True),
    sa.Column("site_id", sa.Text, sa.ForeignKey("sites.id", ondelete="CASCADE"),
              primary_key=True),
    sa.Column("visit_date", sa.Text, primary_key=True),
    sa.Column("customers_served", sa.Integer, nullable=False),
    sa.Column("recorded_at", sa.Text, nullable=False),
    sa.Column("actor", sa.Text, nullable=False),
)

_ID = sa.BigInteger().with_variant(sa.Integer, "sqlite")

# User-defined regions: which region each county belongs to (one file's worth, replaced
# whole by the next import of a regions file).
regions = sa.Table(
    "regions", metadata,
    sa.Column("county_fips", sa.Text, primary_key=True),
    sa.Column("region", sa.Text, nullable=False, index=True),
)

# Accounts: ``areas`` is a JSON list of county FIPS codes or region names.
users = sa.Table(
    "users", metadata,
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
    # The county the account's organisation is in ("" when not given): its reviewer may
    # verify the account.
    sa.Column("county_fips", sa.Text, nullable=False, server_default=""),
)

# A partner's request to add a site, extend one or change one; ``fields`` holds the
# proposed values, ``reason`` what a reviewer said when rejecting or sending it back.
site_requests = sa.Table(
    "site_requests", metadata,
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

# Who did what to an account or a request, with each field's old and new value. Only ever
# inserted into: the store has no method that changes or deletes an entry.
audit_entries = sa.Table(
    "audit_entries", metadata,
    sa.Column("id", _ID, primary_key=True, autoincrement=True),
    sa.Column("at", sa.Text, nullable=False),
    sa.Column("actor", sa.Text, nullable=False),
    sa.Column("action", sa.Text, nullable=False),
    sa.Column("subject", sa.Text, nullable=False),
    sa.Column("subject_id", sa.Text, nullable=False),
    sa.Column("fields", sa.JSON, nullable=True),
)

# Failed logins by key ("email:..." or "address:..."), in the database so that the limit
# holds across worker processes and app servers with no extra server to run.
login_failures = sa.Table(
    "login_failures", metadata,
    sa.Column("id", _ID, primary_key=True, autoincrement=True),
    sa.Column("key", sa.Text, nullable=False),
    sa.Column("failed_at_s", sa.Double, nullable=False),
)
