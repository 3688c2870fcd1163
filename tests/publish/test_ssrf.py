import pytest

from streamproc.publish.webhooks.ssrf import (
    GuardedResolver,
    UnsafeAddress,
    UnsafeURL,
    address_refusal,
    check_url,
    resolve_checked,
)


@pytest.mark.parametrize("address", [
    "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "169.254.1.1", "100.100.100.200",
    "100.64.0.1", "0.0.0.0", "224.0.0.1", "::", "fe80::1", "fd00:ec2::254", "fc00::1", "::ffff:10.0.0.1",
    "::ffff:169.254.169.254", "240.0.0.1", "127.0.0.1", "::1", "::ffff:127.0.0.1",
    # IPv4 inside IPv6: through a NAT64 gateway, or IPv4-compatible; and site-local, reserved
    "64:ff9b::a9fe:a9fe", "64:ff9b::7f00:1", "64:ff9b::c0a8:101", "::127.0.0.1", "::10.0.0.1",
    "::ffff:0:127.0.0.1", "fec0::1", "5f00::1",
])
def test_internal_addresses_are_refused(address):
    assert address_refusal(address, allow_loopback=False) is not None


def test_loopback_only_when_allowed_and_never_private_or_metadata():
    assert address_refusal("127.0.0.1", allow_loopback=True) is None
    assert address_refusal("127.5.5.5", allow_loopback=True) is None
    assert address_refusal("::1", allow_loopback=True) is None
    assert address_refusal("10.0.0.1", allow_loopback=True) is not None
    assert address_refusal("169.254.169.254", allow_loopback=True) is not None


def test_public_addresses_pass():
    assert address_refusal("93.184.216.34", allow_loopback=False) is None
    assert address_refusal("2606:4700::1111", allow_loopback=False) is None
    assert address_refusal("64:ff9b::5db8:d822", allow_loopback=False) is None  # NAT64 of 93.184.216.34


@pytest.mark.parametrize("url", [
    "ftp://example.org/x", "https://", "https://user:pw@example.org/", "https://10.0.0.1/hook",
    "https://[fd00::1]/hook", "https://169.254.169.254/latest/meta-data", "https://localhost/hook",
    "https://api.localhost/hook", "https://127.0.0.1:8443/hook", "https://example.org:99999/",
    "https://example.org/a\nFORGED ERROR line", "https://example.org/a\rb", "https://example.org/a\tb",
    "https://example.org/a b", "https://example.org/\x7f", "https://[64:ff9b::a9fe:a9fe]/latest/meta-data",
])
def test_urls_refused(url):
    with pytest.raises(UnsafeURL):
        check_url(url, allow_http=True, allow_loopback=False)


def test_http_needs_permission():
    with pytest.raises(UnsafeURL, match="http"):
        check_url("http://example.org/hook", allow_http=False, allow_loopback=False)
    assert check_url("http://example.org/hook", allow_http=True, allow_loopback=False)
    assert check_url("https://example.org/hook", allow_http=False, allow_loopback=False)
    assert check_url("http://127.0.0.1:8080/hook", allow_http=True, allow_loopback=True)


async def test_names_are_resolved_and_judged_on_every_address():
    with pytest.raises(UnsafeURL, match="loopback"):
        await resolve_checked("https://localhost/hook", allow_loopback=False)
    assert await resolve_checked("http://localhost:1/hook", allow_loopback=True)
    with pytest.raises(UnsafeURL, match="loopback"):
        await resolve_checked("https://127.1/hook", allow_loopback=False)  # legacy numeric form


async def test_guarded_resolver_refuses_at_connection_time():
    resolver = GuardedResolver(allow_loopback=False)
    with pytest.raises(UnsafeAddress):
        await resolver.resolve("localhost", 80)
    assert await GuardedResolver(allow_loopback=True).resolve("localhost", 80)
    await resolver.close()
