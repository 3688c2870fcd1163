"""SSRF guard: subscriber URLs must not reach the worker's own network.

Refused unless explicitly allowed: loopback (allowed with ``STREAMPROC_WEBHOOK_ALLOW_LOOPBACK=true``), and
always: private (RFC 1918, unique-local IPv6), link-local (which holds the cloud metadata address
169.254.169.254), shared (100.64/10, e.g. 100.100.100.200), multicast, reserved and unspecified
addresses, i.e. everything that is not a global unicast address. IPv4-mapped IPv6 addresses are
judged as the IPv4 address they carry. Plain ``http://`` needs ``STREAMPROC_WEBHOOK_ALLOW_HTTP=true``.

The check runs twice: when a subscription is created or changed (:func:`check_url` +
:func:`resolve_checked`), and on every delivery through :class:`GuardedResolver`, the resolver of the
HTTP client, so a DNS name that later re-points to an internal address (DNS rebinding) is refused at
connection time, on the very addresses the client then connects to.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from typing import Any
from urllib.parse import urlsplit

from aiohttp.abc import AbstractResolver
from aiohttp.resolver import ThreadedResolver

#: Well-known cloud metadata endpoints, refused even if a range rule would change.
METADATA_ADDRESSES = frozenset(ipaddress.ip_address(a) for a in (
    "169.254.169.254", "169.254.170.2", "100.100.100.200", "fd00:ec2::254"))
#: The NAT64 well-known prefix (RFC 6052): its last 32 bits are an IPv4 address.
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class UnsafeURL(ValueError):
    """A subscriber URL the guard refuses (the message says why)."""


class UnsafeAddress(OSError):
    """Raised by :class:`GuardedResolver` when a host resolves to a refused address."""


def _ip(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        ip = ipaddress.ip_address(value.strip("[]").split("%", 1)[0])
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return ip.ipv4_mapped
        # An IPv4 address inside an IPv6 one reaches that IPv4 host: through a NAT64 gateway
        # (64:ff9b::/96, where IPv6-only networks have one), or as a deprecated IPv4-compatible
        # address (::a.b.c.d). Judge the IPv4 address (Python 3.11 calls 64:ff9b::a9fe:a9fe global).
        packed = ip.packed
        if ip in _NAT64 or (packed[:12] == bytes(12) and int(ip) > 1):
            return ipaddress.IPv4Address(packed[12:])
    return ip


def address_refusal(address: str, allow_loopback: bool) -> str | None:
    """Why ``address`` (an IP literal) is refused, or ``None`` when it may be used."""
    ip = _ip(address)
    if ip is None:
        return f"not an IP address: {address!r}"
    if ip in METADATA_ADDRESSES:
        return f"{ip} is a cloud metadata address"
    if ip.is_loopback:
        return None if allow_loopback else f"{ip} is a loopback address"
    if ip.is_unspecified:
        return f"{ip} is unspecified"
    if ip.is_link_local:
        return f"{ip} is a link-local address"
    if ip.is_multicast:
        return f"{ip} is a multicast address"
    if ip.is_private or not ip.is_global or ip.is_reserved or getattr(ip, "is_site_local", False):
        return f"{ip} is a private or reserved address"
    return None


def check_url(url: str, *, allow_http: bool, allow_loopback: bool) -> str:
    """Syntactic checks (scheme, host, IP literals); returns the URL or raises :class:`UnsafeURL`."""
    if not isinstance(url, str) or len(url) > 2048:
        raise UnsafeURL("url must be a string of at most 2048 characters")
    if any(c <= " " or c == "\x7f" for c in url):
        # urlsplit drops tabs and newlines silently, so the URL would pass and be stored, logged (a
        # forged log line) and shown with them.
        raise UnsafeURL("url must not contain spaces or control characters")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UnsafeURL("url must look like https://host/path")
    if parts.scheme == "http" and not allow_http:
        raise UnsafeURL("plain http:// is not allowed (https only; STREAMPROC_WEBHOOK_ALLOW_HTTP=true allows it)")
    if parts.username or parts.password:
        raise UnsafeURL("url must not carry credentials")
    try:
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError as exc:
        raise UnsafeURL(f"bad port: {exc}") from None
    host = parts.hostname.lower().rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        if not allow_loopback:
            raise UnsafeURL(f"{host} is a loopback name")
    elif _ip(host) is not None:
        reason = address_refusal(host, allow_loopback)
        if reason:
            raise UnsafeURL(reason)
    return url


async def resolve_checked(url: str, *, allow_loopback: bool) -> list[str]:
    """Resolve the URL's host now and refuse it if any address is refused."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if _ip(host) is not None:
        reason = address_refusal(host, allow_loopback)
        if reason:
            raise UnsafeURL(reason)
        return [host]
    port = parts.port or (443 if parts.scheme == "https" else 80)
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise UnsafeURL(f"cannot resolve {host}: {exc}") from None
    addresses = sorted({info[4][0] for info in infos})
    for address in addresses:
        reason = address_refusal(address, allow_loopback)
        if reason:
            raise UnsafeURL(f"{host} resolves to {reason}")
    return addresses


class GuardedResolver(AbstractResolver):
    """aiohttp resolver that refuses the whole name when any of its addresses is refused."""

    def __init__(self, allow_loopback: bool) -> None:
        self.allow_loopback = allow_loopback
        self._resolver = ThreadedResolver()

    async def resolve(self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
                      ) -> list[Any]:
        results = await self._resolver.resolve(host, port, family)
        for result in results:
            reason = address_refusal(result["host"], self.allow_loopback)
            if reason:
                raise UnsafeAddress(f"{host} resolves to {reason}")
        return results

    async def close(self) -> None:
        await self._resolver.close()
