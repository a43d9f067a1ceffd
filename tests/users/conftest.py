"""The provisioning file server for the users' phone lines (the same fixture as
tests/provisioning's, started once for this folder when it runs alone)."""

from tests.provisioning.conftest import file_server, provisioning_db  # noqa: F401
