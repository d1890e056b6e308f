# The demo council, loaded once per module and rolled back (see the URL matrix).
from tests.access.test_url_matrix import demo_world  # noqa: F401
