"""The product's settings, with the fault tests' URLconf (one idempotent write beside
the real site), for a server process started by a fault test."""

from lra_commissioning.settings import *  # noqa: F403

ROOT_URLCONF = "tests.operations.fault_urls"
