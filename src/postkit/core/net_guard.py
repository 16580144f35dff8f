"""Which addresses postkit may connect to: the policy shared by every command that fetches over HTTP.

Link-local addresses (169.254.0.0/16, fe80::/10: the cloud metadata
service lives there) are never connected to unless the caller allows them.
While a redirect that left a public address is followed, private, loopback
and link-local addresses are refused too. Direct URLs to loopback and
private addresses stay allowed: a blog may use its own intranet host, and
the tests use 127.0.0.1. The network backends that apply this policy live
with the commands (they need httpcore); this module is pure.
"""

from __future__ import annotations

import ipaddress


def address_kind(address: str) -> str:
    """``public``, ``private``, ``loopback`` or ``link-local`` for an IP address (IPv4-mapped IPv6 read as IPv4)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_link_local:
        return "link-local"
    if ip.is_loopback or ip.is_unspecified:  # 0.0.0.0 reaches this machine on Linux
        return "loopback"
    if ip.is_global:
        return "public"
    return "private"


def is_ip_literal(host: str) -> bool:
    """True when ``host`` is an IP address (an IPv6 zone id allowed), not a name."""
    try:
        ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return False
    return True


class BlockedAddress(Exception):
    """A connection postkit refuses to make; ``detail`` says which address and why."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


def refusal(address: str, *, allow_link_local: bool, public_only: bool, link_local_hint: str = "") -> str | None:
    """Why a connection to ``address`` is refused now, or ``None``.

    ``link_local_hint`` ends the link-local message (how the user may allow it).
    """
    kind = address_kind(address)
    if kind == "link-local" and not allow_link_local:
        return f"{address} is a link-local address (where cloud metadata services answer); postkit never requests it{link_local_hint}"
    if public_only and kind != "public":
        return f"a redirect from a public address to {address}, a {kind} address; postkit does not follow it"
    return None
