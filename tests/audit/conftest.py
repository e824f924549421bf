# The cases API fixtures (world, client_for) are used here too.
from tests.cases.conftest import client_for, world  # noqa: F401
