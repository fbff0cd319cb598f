"""Partners' requests to list a site: add a new one, extend a listed place with roles and
programs, or change a live site's fields. Every request waits for a reviewer.

A request's ``fields`` are the proposed values by ``Site`` field name (``programs``,
``roles`` and ``partnership_types`` as lists); nothing of it is public until approved.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from locator.errors import N_


class RequestAction(StrEnum):
    ADD = "add"        # a site not listed yet
    EXTEND = "extend"  # more roles, programs or partnership types for a listed place
    CHANGE = "change"  # new values for a live site's fields


class RequestStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    CHANGES_REQUESTED = "changes_requested"


# The partnership types the Illinois workNet seed document lists.
PARTNERSHIP_TYPES: dict[str, str] = {
    "joint_location": N_("Joint location"),
    "training_library_staff": N_("Training library staff"),
    "sharing_lmi": N_("Sharing labor market information"),
    "direct_service": N_("Direct service by workforce professionals"),
    "mobile_center_stops": N_("Mobile career center stops"),
    "small_business_development": N_("Small business development"),
    "library_space_events": N_("Use of library spaces for events"),
    "signed_mou": N_("Signed MOU"),
}


@dataclass(frozen=True, slots=True)
class SiteRequest:
    id: int
    action: RequestAction
    site_id: str | None
    user_id: int
    organization: str
    county_fips: str
    status: RequestStatus
    fields: dict[str, Any]
    reason: str
    created_at: str
    updated_at: str


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One never-edited line of the audit trail: ``fields`` maps a field to [old, new]."""

    at: str
    actor: str
    action: str
    subject: str  # "user" or "request"
    subject_id: str
    fields: dict[str, list[Any]] = field(default_factory=dict)
