"""Shared worlds."""

from tests.work.conftest import world  # noqa: F401
from tests.youth.conftest import people  # noqa: F401
