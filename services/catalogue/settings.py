"""catalogue settings, read from the environment."""

from __future__ import annotations

from pydantic import Field

from sbcommon.settings import Settings


class CatalogueSettings(Settings):
    # How long creating a device item waits for provisioning's list of phone models.
    models_timeout_seconds: float = Field(5.0, gt=0, le=60,
                                          validation_alias="CATALOGUE_MODELS_TIMEOUT_SECONDS")
