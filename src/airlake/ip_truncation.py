"""IP truncation at ingest: the last IPv4 octet or the last 80 bits of an IPv6 address zeroed
(pure). What the collector may already do; ``privacy.truncate_ip`` makes ingest do it too."""

from __future__ import annotations

import ipaddress

import pyarrow as pa

IPV6_KEPT_BITS = 48


def truncate_ip(text: str | None) -> str | None:
    """``203.0.113.77`` → ``203.0.113.0``; ``2001:db8:85a3:8d3:1319:8a2e:370:7348`` →
    ``2001:db8:85a3::``. Text that is not an IP address is returned as it is (the contract
    does not require an address there, and no address can be recovered from it)."""
    if text is None:
        return None
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return text
    prefix = 24 if address.version == 4 else IPV6_KEPT_BITS
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False).network_address)


def truncate_ips(values: pa.Array) -> pa.Array:
    """:func:`truncate_ip` over an Arrow string array (each distinct value computed once)."""
    cache: dict[str | None, str | None] = {}
    out = []
    for value in values.to_pylist():
        if value not in cache:
            cache[value] = truncate_ip(value)
        out.append(cache[value])
    return pa.array(out, type=pa.string())
