"""Where a webhook may point: only at public addresses (no Django here: its words are
translated through hcoc.lib.marking).

A state's URL is resolved and every address it resolves to is checked, at registration and again
before every delivery (a name that resolved to a public address yesterday may resolve to the
exchange's own network today: DNS rebinding); the delivery then connects to an address that was
checked, never resolving the name a second time. Private, loopback, link-local, shared,
reserved, multicast and documentation addresses are refused unless they fall in one of the
networks the operator allows (`HCOC_WEBHOOK_ALLOWED_NETWORKS`, e.g. loopback for a demo).
"""

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from hcoc.lib.marking import gettext as _

MAX_URL_LENGTH = 2000
Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class Refused(ValueError):
    """Why a URL cannot be a webhook endpoint (the message names no field: it is `url`'s)."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str  # with its query string
    addresses: tuple[str, ...]  # every address the host resolved to, all checked


def networks(allowed: list[str]) -> list[Network]:
    return [ipaddress.ip_network(n, strict=False) for n in allowed]


def _address(text: str) -> Address:
    ip = ipaddress.ip_address(text.split("%", 1)[0])  # an IPv6 zone id is not part of it
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped  # ::ffff:10.0.0.1 is 10.0.0.1
    return ip


def _allowed(ip: Address, allowed: list[Network]) -> bool:
    return any(ip.version == n.version and ip in n for n in allowed)


def split(url: str) -> tuple[str, str, int, str]:
    """(scheme, host, port, path) of a well-formed http(s) URL, or Refused."""
    if not isinstance(url, str) or not url:
        raise Refused(_("must be an https URL"))
    if len(url) > MAX_URL_LENGTH:
        raise Refused(_("must be at most %(n)s characters") % {"n": MAX_URL_LENGTH})
    if any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in url):
        raise Refused(_("must not contain spaces or control characters"))
    try:
        parts = urlsplit(url)
        port = parts.port
        host = parts.hostname
    except ValueError as e:
        raise Refused(_("is not a valid URL (%(why)s)") % {"why": e}) from None
    if parts.scheme not in ("https", "http"):
        raise Refused(_("must be an https URL"))
    if parts.username is not None or parts.password is not None:
        raise Refused(_("must not carry a user name or password"))
    if parts.fragment:
        raise Refused(_("must not have a fragment (#...)"))
    if not host:
        raise Refused(_("must name a host"))
    port = port or (443 if parts.scheme == "https" else 80)
    if port == 0:
        raise Refused(_("must not use port 0"))
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return parts.scheme, host, port, path


def unresolved(host: str) -> str:
    return _("its host %(host)s cannot be resolved") % {"host": repr(host)}


def resolve(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError, ValueError):
        raise Refused(unresolved(host)) from None
    found = []
    for *_rest, sockaddr in infos:
        if sockaddr[0] not in found:
            found.append(sockaddr[0])
    if not found:
        raise Refused(unresolved(host))
    return found


def check(url: str, *, allowed: list[str]) -> Target:
    """The URL's target with every address it resolves to, or Refused: a public address for
    each (or one in an allowed network); plain http only to allowed networks (a demo on one
    machine), since a delivery carries what states exchange in confidence."""
    scheme, host, port, path = split(url)
    nets = networks(allowed)
    addresses = resolve(host, port)
    for text in addresses:
        ip = _address(text)
        if _allowed(ip, nets):
            continue
        if not ip.is_global or ip.is_multicast:
            if ip.is_loopback:
                why = _(
                    "resolves to %(ip)s, a loopback address: webhooks go to public addresses only"
                )
            elif ip.is_link_local:
                why = _(
                    "resolves to %(ip)s, a link-local address: webhooks go to public addresses only"
                )
            else:
                why = _(
                    "resolves to %(ip)s, a private or reserved address: webhooks go to public "
                    "addresses only"
                )
            raise Refused(why % {"ip": ip})
        if scheme == "http":
            raise Refused(_("must be an https URL (plain http only to an allowed network)"))
    return Target(scheme, host, port, path, tuple(addresses))
