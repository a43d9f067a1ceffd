"""The base of every settings class: pydantic-settings reading the environment, each field
named by its variable (``validation_alias``) and still settable by name in code and tests."""

from __future__ import annotations

from typing import Any

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(frozen=True, populate_by_name=True, extra="ignore")

    @classmethod
    def from_env(cls, **overrides: Any) -> Any:
        """The settings from the environment (``overrides`` win)."""
        return cls(**overrides)
