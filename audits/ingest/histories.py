"""The histories an input may hold beside its lists (docs/ssd.md §5): every visit, review,
placement, missing episode and allocation of the records on the lists, one row per event.

Each is a table in `Export.tables` with the canonical columns below, `_row` (where it was read)
and, except `involvements`, `_plan` (the position of its record in the list: -1 when it belongs
to no row). Dates are calendar dates; a timestamp is kept in a hidden `_..._at` column only where
a rule needs hours. The rules read them by these names, never knowing which input filled them.
"""

from __future__ import annotations

from audits.ingest.returns import CLA_REVIEWS, CP_REVIEWS  # noqa: F401  (the returns' histories)
from audits.model import codes
from audits.model.spec import CHILD_ID, Field, ListSpec

SEEN = Field("seen", "Child seen", "code", codes.YES_NO_UNKNOWN)
SEEN_ALONE = Field("seen_alone", "Child seen alone", "code", codes.YES_NO_UNKNOWN)
BEDROOM = Field("bedroom_seen", "Child's bedroom seen", "code", codes.YES_NO_UNKNOWN)
VISIT_ID = Field("visit_id", "Visit id")


def _history(name: str, title: str, area: str, *fields: Field) -> ListSpec:
    return ListSpec(None, title, area, (CHILD_ID, *fields), signature=(), name=name)


CIN_VISITS = _history(
    "cin_visits",
    "Visits to children in need (history)",
    "Children in need",
    Field("visit_date", "Date of visit", "date"),
    SEEN,
    SEEN_ALONE,
    BEDROOM,
    Field("source", "Visit table"),
    VISIT_ID,
)
CP_VISITS = _history(
    "cp_visits",
    "Child protection visits (history)",
    "Child protection",
    Field("visit_date", "Date of statutory visit", "date"),
    SEEN,
    SEEN_ALONE,
    BEDROOM,
    VISIT_ID,
)
CLA_VISITS = _history(
    "cla_visits",
    "Visits to children in care (history)",
    "Children in care",
    Field("visit_date", "Date of social work visit", "date"),
    SEEN,
    SEEN_ALONE,
    VISIT_ID,
)
CLA_PLACEMENTS = _history(
    "cla_placements",
    "Placements (history)",
    "Children in care",
    Field("placement_start", "Placement start date", "date"),
    Field("placement_end", "Placement end date", "date"),
    Field("placement_type", "Placement type", "code", codes.PLACEMENT_TYPE),
    Field("placement_provider", "Placement provider", "code", codes.PLACEMENT_PROVIDER),
    Field("placement_urn", "URN of placement"),
)
SSD_CP_REVIEWS = _history(
    "cp_reviews",
    "Child protection review conferences (history)",
    "Child protection",
    Field("review_date", "Date of review conference", "date"),
    Field("review_due", "Review conference due", "date"),
    Field("quorate", "Conference quorate", "code", codes.YES_NO_UNKNOWN),
)
SSD_CLA_REVIEWS = _history(
    "cla_reviews",
    "Looked-after statutory reviews (history)",
    "Children in care",
    Field("review_date", "Date of statutory review", "date"),
    Field("review_due", "Statutory review due", "date"),
)
HEALTH_CHECKS = _history(
    "health_checks",
    "Health assessments and dental checks (history)",
    "Children in care",
    Field("check_date", "Date of health check", "date"),
    Field("check_type", "Health check type"),
    Field("status", "Health check status"),
)
MISSING_EPISODES = _history(
    "missing_episodes",
    "Missing and away episodes (history)",
    "Children in care",
    Field("missing_start", "Missing episode start", "date"),
    Field("missing_end", "Missing episode end", "date"),
    Field("episode_type", "Episode type (Missing / Away)"),
    Field("rhi_offered", "Return interview offered", "code", codes.YES_NO_UNKNOWN),
    Field("rhi_accepted", "Return interview accepted", "code", codes.YES_NO_UNKNOWN),
    Field("rhi_offered_date", "Return interview offered on", "date"),
)
INVOLVEMENTS = _history(
    "involvements",
    "Allocated workers (history)",
    "Workforce",
    Field("worker", "Allocated Worker"),
    Field("worker_id", "Worker id"),
    Field("team", "Allocated Team"),
    Field("role", "Involvement role"),
    Field("started", "Involvement start", "date"),
    Field("ended", "Involvement end", "date"),
    Field("change_reason", "Reason for change of social worker"),
    Field("cover", "Covering another worker's absence", "code", codes.YES_NO),
)
HISTORIES: tuple[ListSpec, ...] = (
    CIN_VISITS,
    CP_VISITS,
    CLA_VISITS,
    CLA_PLACEMENTS,
    SSD_CP_REVIEWS,
    SSD_CLA_REVIEWS,
    HEALTH_CHECKS,
    MISSING_EPISODES,
    INVOLVEMENTS,
)
