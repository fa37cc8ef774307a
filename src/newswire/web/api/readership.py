"""The issuer's switch for measured email, under /api/v1:

    GET /api/v1/organization/email-measurement     {"measure_email_opens_and_clicks": false}
    PUT /api/v1/organization/email-measurement     the same body; off by default

Opens and clicks are counted only for recipients who consented too (their preferences page).
"""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict

from newswire.actions import readership as actions
from newswire.web.deps import DB, CurrentActor
from newswire.web.errors import ERROR_ANSWERS

router = APIRouter(prefix="/api/v1", responses=ERROR_ANSWERS, tags=["accounts"])
PATH = "/organization/email-measurement"


class EmailMeasurement(BaseModel):
    model_config = ConfigDict(extra="forbid")
    measure_email_opens_and_clicks: bool


@router.get(PATH)
def get_email_measurement(actor: CurrentActor, db: DB) -> EmailMeasurement:
    with db.session() as s:
        org = actions.organization_of(s, actor)
        return EmailMeasurement(measure_email_opens_and_clicks=org.measure_email)


@router.put(PATH)
def put_email_measurement(body: EmailMeasurement, actor: CurrentActor, db: DB) -> EmailMeasurement:
    with db.session() as s:
        org = actions.set_email_measurement(s, actor, body.measure_email_opens_and_clicks)
        return EmailMeasurement(measure_email_opens_and_clicks=org.measure_email)
