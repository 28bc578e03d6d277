"""Throttles count per client address: behind our nginx the address is X-Real-IP; from
anyone else the header is ignored (a client could otherwise pick its own counter)."""

from django.test import RequestFactory, override_settings

from tenant_apps.accounts.views import client_ip


@override_settings(TRUSTED_PROXY_IPS=["127.0.0.1"])
def test_the_proxy_names_the_client():
    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="203.0.113.9")
    assert client_ip(request) == "203.0.113.9"


@override_settings(TRUSTED_PROXY_IPS=["127.0.0.1"])
def test_a_client_cannot_choose_its_address():
    request = RequestFactory().get("/", REMOTE_ADDR="198.51.100.7", HTTP_X_REAL_IP="203.0.113.9")
    assert client_ip(request) == "198.51.100.7"


@override_settings(TRUSTED_PROXY_IPS=["127.0.0.1"])
def test_without_the_header_the_peer_counts():
    assert client_ip(RequestFactory().get("/", REMOTE_ADDR="127.0.0.1")) == "127.0.0.1"
