"""Numbering settings, read from the environment."""

from __future__ import annotations

from pydantic import Field

from sbcommon.settings import Settings


class NumberingSettings(Settings):
    # how often numbers whose aging is over become available
    aging_check_seconds: int = Field(60, ge=1, validation_alias="SB_NUMBER_AGING_CHECK_SECONDS")
    # an import not fed for this long is failed: its uploader is gone
    import_expiry_seconds: int = Field(120, ge=1, validation_alias="SB_IMPORT_EXPIRY_SECONDS")

    # numbers a customer may hold when it orders them itself, until its reseller sets a quota
    number_quota_default: int = Field(5, ge=0, validation_alias="SB_NUMBER_QUOTA_DEFAULT")
    # numbers held for sign-ups under way from one network (IPv4 address, IPv6 /64)
    signup_holds_per_network: int = Field(9, ge=0,
                                          validation_alias="SB_SIGNUP_HOLDS_PER_NETWORK")

    @property
    def import_check_seconds(self) -> float:
        """How often stale imports are looked for: a quarter of the expiry, at most 30 s."""
        return min(30.0, max(0.5, self.import_expiry_seconds / 4))
