"""Small Ethernet frame builders for the sandbox's own tests and benchmark.

Not the lab packet language (that is labs/packets.py, built on scapy): just enough bytes
to feed an XDP program, with correct IPv4 header checksums and documentation addresses.
"""

from __future__ import annotations

import ipaddress
import struct

DST_MAC = bytes.fromhex("020000000002")
SRC_MAC = bytes.fromhex("020000000001")
SRC_IP = "192.0.2.1"
DST_IP = "198.51.100.1"
ETH_P_IP = 0x0800
ETH_P_ARP = 0x0806
IPPROTO_TCP = 6
IPPROTO_UDP = 17


def _checksum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def ethernet(ethertype: int, payload: bytes) -> bytes:
    return DST_MAC + SRC_MAC + struct.pack("!H", ethertype) + payload


def ipv4(proto: int, payload: bytes, src: str = SRC_IP, dst: str = DST_IP) -> bytes:
    header = struct.pack(
        "!BBHHHBBH4s4s",
        0x45,
        0,
        20 + len(payload),
        1,
        0,
        64,
        proto,
        0,
        ipaddress.IPv4Address(src).packed,
        ipaddress.IPv4Address(dst).packed,
    )
    header = header[:10] + struct.pack("!H", _checksum(header)) + header[12:]
    return header + payload


def udp_frame(dport: int, sport: int = 40000, payload: bytes = b"x" * 16, **ip: str) -> bytes:
    udp = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    return ethernet(ETH_P_IP, ipv4(IPPROTO_UDP, udp, **ip))


def tcp_frame(dport: int, sport: int = 40000, **ip: str) -> bytes:
    tcp = struct.pack("!HHIIBBHHH", sport, dport, 1, 0, 5 << 4, 0x02, 65535, 0, 0)
    return ethernet(ETH_P_IP, ipv4(IPPROTO_TCP, tcp, **ip))


def arp_frame() -> bytes:
    arp = struct.pack("!HHBBH", 1, ETH_P_IP, 6, 4, 1) + SRC_MAC
    arp += ipaddress.IPv4Address(SRC_IP).packed + b"\0" * 6
    arp += ipaddress.IPv4Address(DST_IP).packed
    return ethernet(ETH_P_ARP, arp)
