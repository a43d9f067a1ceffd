"""PBX tokens: created by the system administrator, shown once, stored as SHA-256."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sbcommon.contracts.routing_policy import PbxTokenCreate
from sbcommon.errors import NotFound

from ..models import PbxTokenRow

TOKENS_CHANGED = "pbx_tokens_changed"
PREFIX = "sbpbx_"  # recognisable in a config file or a leaked log


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def to_contract(row: PbxTokenRow) -> dict[str, Any]:
    return {"id": row.id, "name": row.name, "reseller_id": row.reseller_id,
            "created_at": row.created_at.isoformat(),
            "revoked_at": row.revoked_at.isoformat() if row.revoked_at else None}


def create(session: Session, events: Any, data: PbxTokenCreate, now: datetime
           ) -> dict[str, Any]:
    token = PREFIX + secrets.token_urlsafe(32)
    row = PbxTokenRow(id=str(uuid.uuid4()), name=data.name, token_hash=digest(token),
                      reseller_id=data.reseller_id, created_at=now)
    session.add(row)
    session.flush()
    events.record(session, TOKENS_CHANGED, {"reseller_id": data.reseller_id or "",
                                            "token_id": row.id, "change": "created"})
    return {**to_contract(row), "token": token}


def list_tokens(session: Session) -> dict[str, Any]:
    rows = session.scalars(select(PbxTokenRow).order_by(PbxTokenRow.created_at)).all()
    return {"items": [to_contract(r) for r in rows]}


def revoke(session: Session, events: Any, token_id: str, now: datetime) -> dict[str, Any]:
    row = session.get(PbxTokenRow, token_id) if len(token_id) <= 36 else None
    if row is None:
        raise NotFound("no such PBX token")
    if row.revoked_at is None:
        row.revoked_at = now
        events.record(session, TOKENS_CHANGED, {"reseller_id": row.reseller_id or "",
                                                "token_id": row.id, "change": "revoked"})
    return to_contract(row)
