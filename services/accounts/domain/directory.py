"""Resellers, the system administrator and users' own preferences."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sbcommon.actor import Actor, Role
from sbcommon.contracts.accounts import ResellerCreate, UserInfo
from sbcommon.errors import Conflict

from ..models import Reseller, User
from .auth import EventSink
from .passwords import Hasher


def user_info(user: User) -> dict[str, Any]:
    return UserInfo.model_validate(user, from_attributes=True).model_dump(mode="json")


def actor_of(user: User) -> Actor:
    return Actor(user_id=user.id, role=Role(user.role), reseller_id=user.reseller_id,
                 customer_id=user.customer_id, account_role=user.account_role)


def _ensure_free(session: Session, identifier: str, email: str) -> None:
    if session.scalar(select(User.id).where(User.identifier == identifier)):
        raise Conflict(f"identifier {identifier!r} is already in use",
                       [{"field": "identifier", "message": "already in use"}])
    if session.scalar(select(User.id).where(func.lower(User.email) == email.lower())):
        raise Conflict(f"e-mail {email} is already in use",
                       [{"field": "email", "message": "already in use"}])


def create_reseller(session: Session, hasher: Hasher, data: ResellerCreate,
                    password: str | None, now: datetime, events: EventSink | None = None
                    ) -> dict[str, Any]:
    _ensure_free(session, data.identifier, data.email)
    # Made here by the demo bootstrap and by tests, set up already (no wizard); the system
    # administrator's onboarding is domain.resellers.onboard.
    reseller = Reseller(id=str(uuid.uuid4()), slug=data.identifier, name=data.name,
                        email=data.email, country=data.country, language=data.language,
                        trial_days=data.trial_days, setup_step="done", version=1,
                        created_at=now, updated_at=now)
    session.add(reseller)
    session.flush()
    user = User(
        id=str(uuid.uuid4()), role="reseller", reseller_id=reseller.id,
        identifier=data.identifier, email=data.email, display_name=data.name,
        language=data.language, created_at=now,
        password_hash=hasher.hash(password) if password else None,
        password_changed_at=now if password else None,
    )
    session.add(user)
    session.flush()
    if events is not None:
        # notifications signs the reseller's mail with its name (white label) from this.
        events.record(session, "reseller_created", {
            "reseller_id": reseller.id, "name": reseller.name, "email": reseller.email,
            "country": reseller.country, "language": data.language,
        })
    return {"reseller_id": reseller.id, "user_id": user.id, "identifier": user.identifier}


def ensure_admin(session: Session, hasher: Hasher, identifier: str, email: str,
                 password: str, now: datetime) -> bool:
    """Create the system administrator once; True if it was created now."""
    if session.scalar(select(User.id).where(User.role == "admin")):
        return False
    _ensure_free(session, identifier, email)
    session.add(User(
        id=str(uuid.uuid4()), role="admin", identifier=identifier, email=email,
        display_name="System administrator", language="en", created_at=now,
        password_hash=hasher.hash(password), password_changed_at=now,
    ))
    return True
