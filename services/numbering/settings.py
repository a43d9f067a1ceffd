"""Numbering settings, read from the environment."""

from __future__ import annotations

from dataclasses import dataclass

from sbcommon.config import env_int


@dataclass(frozen=True)
class NumberingSettings:
    aging_check_seconds: int = 60  # how often numbers whose aging is over become available

    @classmethod
    def from_env(cls) -> NumberingSettings:
        return cls(aging_check_seconds=env_int("SB_NUMBER_AGING_CHECK_SECONDS",
                                               cls.aging_check_seconds))
