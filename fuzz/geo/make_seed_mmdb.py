#!/usr/bin/env python3
"""Writes fuzz/geo/corpus/mmdb/tiny.mmdb: a two-node IPv4 MaxMind DB (format 2.0, record size 24)
with 0.0.0.0/1 -> {country_code: KZ, state1: Almaty} and 128.0.0.0/2 -> {KZ, Astana}, the rest
empty. Encoding per the MaxMind DB spec (https://maxmind.github.io/MaxMind-DB/)."""
import os
import struct


def ctrl(t, size):
    if t <= 7:
        return bytes([(t << 5) | size])
    return bytes([size, t - 7])


def s(x):
    b = x.encode()
    return ctrl(2, len(b)) + b


def u16(v):
    b = v.to_bytes(2, "big").lstrip(b"\0")
    return ctrl(5, len(b)) + b


def u32(v):
    b = v.to_bytes(4, "big").lstrip(b"\0")
    return ctrl(6, len(b)) + b


def u64(v):
    b = v.to_bytes(8, "big").lstrip(b"\0")
    return ctrl(9, len(b)) + b


def m(d):
    out = ctrl(7, len(d))
    for k, v in d.items():
        out += s(k) + v
    return out


def arr(items):
    return ctrl(11, len(items)) + b"".join(items)


node_count = 2
a = m({"country_code": s("KZ"), "state1": s("Almaty")})
b = m({"country_code": s("KZ"), "state1": s("Astana")})
data = a + b
rec_a = node_count + 16 + 0
rec_b = node_count + 16 + len(a)
empty = node_count


def node(left, right):
    return left.to_bytes(3, "big") + right.to_bytes(3, "big")


tree = node(rec_a, 1) + node(rec_b, empty)
meta = m({
    "node_count": u32(node_count),
    "record_size": u16(24),
    "ip_version": u16(4),
    "database_type": s("blackout-fuzz-seed"),
    "languages": arr([]),
    "binary_format_major_version": u16(2),
    "binary_format_minor_version": u16(0),
    "build_epoch": u64(1767225600),
    "description": m({}),
})
out = tree + b"\0" * 16 + data + b"\xab\xcd\xefMaxMind.com" + meta
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "mmdb", "tiny.mmdb")
with open(path, "wb") as f:
    f.write(out)
print(path, len(out))
