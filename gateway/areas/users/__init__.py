"""Users of a customer account: its people, their extensions, roles and sign-ins
(service ``accounts``)."""

from pathlib import Path

from ...framework.area import Area
from .api import api
from .messages import MESSAGES

area = Area("users", Path(__file__).parent, api=api, messages=MESSAGES)
