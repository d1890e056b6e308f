"""Behind the TLS proxy: the client's address and scheme, believed only from our proxy."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from lra_commissioning.proxies import client_address
from tests.factories import TEST_PASSWORD

PROXY = "10.0.0.5"
OUTSIDER = "192.0.2.50"


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXIES = [PROXY, "172.28.0.0/24"]
    return settings


def _request(remote, forwarded=None):
    headers = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **headers)


@pytest.mark.parametrize(
    ("remote", "forwarded", "client"),
    [
        # Straight from the client: the header is the client's own claim.
        (OUTSIDER, "203.0.113.7", OUTSIDER),
        (OUTSIDER, None, OUTSIDER),
        # From our proxy: the address it saw.
        (PROXY, "203.0.113.7", "203.0.113.7"),
        (PROXY, "203.0.113.7:51234", "203.0.113.7"),
        (PROXY, "[2001:db8::7]:443", "2001:db8::7"),
        # The client wrote a false address first; our proxy appended the real one.
        (PROXY, "198.51.100.1, 203.0.113.7", "203.0.113.7"),
        # Two of our proxies in a row (a load balancer, then the TLS proxy).
        (PROXY, "203.0.113.7, 172.28.0.3", "203.0.113.7"),
        # Our proxy without the header, or with one we cannot read: the proxy's address.
        (PROXY, None, PROXY),
        (PROXY, "203.0.113.7, not-an-address", PROXY),
        # A request from inside our own network.
        (PROXY, "172.28.0.9", "172.28.0.9"),
    ],
)
def test_the_client_address_believes_the_forwarded_header_only_from_our_proxy(
    behind_proxy, remote, forwarded, client
):
    assert client_address(_request(remote, forwarded)) == client


def test_with_no_trusted_proxy_the_header_is_never_believed(settings):
    settings.TRUSTED_PROXIES = []
    assert client_address(_request(PROXY, "203.0.113.7")) == PROXY


# Sign-in lock-out ----------------------------------------------------------------------


def _sign_in(client, password, forwarded, remote=PROXY):
    return client.post(
        reverse("login"),
        {"username": "c@example.org", "password": password},
        REMOTE_ADDR=remote,
        HTTP_X_FORWARDED_FOR=forwarded,
    )


def test_a_lockout_through_the_proxy_locks_only_that_client(client, behind_proxy, commissioner):
    behind_proxy.OTP_REQUIRED = False
    for _ in range(10):
        _sign_in(client, "wrong-password-xx", forwarded="203.0.113.7")
    locked = _sign_in(client, TEST_PASSWORD, forwarded="203.0.113.7")
    assert locked.status_code == 429
    # The same person elsewhere, through the same proxy, signs in.
    elsewhere = client.__class__()
    response = _sign_in(elsewhere, TEST_PASSWORD, forwarded="198.51.100.20")
    assert response.status_code == 302 and response.url == reverse("home")


def test_a_forwarded_header_from_outside_the_proxy_is_ignored(client, behind_proxy, commissioner):
    behind_proxy.OTP_REQUIRED = False
    # A new made-up address on every attempt does not escape the lock-out.
    for n in range(10):
        _sign_in(client, "wrong-password-xx", forwarded=f"203.0.113.{n}", remote=OUTSIDER)
    locked = _sign_in(client, TEST_PASSWORD, forwarded="198.51.100.99", remote=OUTSIDER)
    assert locked.status_code == 429


# X-Forwarded-Proto -----------------------------------------------------------------------


@pytest.fixture
def https_only(behind_proxy):
    behind_proxy.SECURE_SSL_REDIRECT = True
    behind_proxy.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    return behind_proxy


def test_https_is_believed_when_our_proxy_says_so(client, https_only):
    response = client.get(
        reverse("accessibility"), REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_PROTO="https"
    )
    assert response.status_code == 200


def test_https_claimed_by_anyone_else_is_not_believed(client, https_only):
    response = client.get(
        reverse("accessibility"), REMOTE_ADDR=OUTSIDER, HTTP_X_FORWARDED_PROTO="https"
    )
    assert response.status_code == 301
    assert response.url.startswith("https://")


def test_docker_compose_publishes_gunicorn_only_to_the_proxy_it_trusts():
    import ipaddress
    import re
    from pathlib import Path

    compose = (Path(__file__).resolve().parents[2] / "docker-compose.yml").read_text()
    published = re.findall(r'^\s+- "\$\{WEB_BIND:-([\d.]+):8000\}:8000"', compose, re.M)
    assert published == ["127.0.0.1"]
    trusted = re.search(r"TRUSTED_PROXIES: \$\{TRUSTED_PROXIES:-([\d.]+)\}", compose).group(1)
    subnet = re.search(r"subnet: ([\d./]+)", compose).group(1)
    gateway = re.search(r"gateway: ([\d.]+)", compose).group(1)
    assert trusted == gateway
    assert ipaddress.ip_address(trusted) in ipaddress.ip_network(subnet)
    assert "X-Forwarded-Proto" not in compose.split("healthcheck:")[1].split("\n\n")[0]
