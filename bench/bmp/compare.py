#!/usr/bin/env python3
"""Per-peer route counts: blackout's (bmp_bench streams TSV) against pmbmpd's message log.

pmbmpd logs every route of every Route Monitoring message (log_type update / withdraw) with the
BMP router's connection, RD, peer address and table (is_in/is_post/is_loc/is_out); its Initiation
events give each connection's sysName. The table each peer holds at the end is replayed from the
log here, counting the families blackout decodes (AFI 1/2, SAFI 1/2; pmbmpd also logs labeled
unicast, SAFI 4, and MPLS VPN, SAFI 128, which the visibility signal does not use).
Usage: compare.py OURS.tsv MSGLOG.json  -> prints the peers whose counts differ; exit 1 if any.
"""
import collections
import json
import sys


def norm_rd(rd):
    if not rd:
        return ""
    parts = rd.split(":")
    if len(parts) == 3:  # pmbmpd writes TYPE:ADMIN:VALUE
        parts = parts[1:]
    rd = ":".join(parts)
    return "" if rd == "0:0" else rd


def ours(path):
    out = {}
    for line in open(path):
        collector, peer, _asn, v4, v6 = line.rstrip("\n").split("\t")
        name = collector[len("bmp:"):]
        router, rest = name.split("/", 1)
        rd, rib = "", rest
        for part in rest.split("/"):
            if part.startswith("rd="):
                rd = part[3:]
        rib = rest.split("/")[-1]
        key = (router, norm_rd(rd), rib, peer)
        v = out.setdefault(key, [0, 0])
        v[0] += int(v4)
        v[1] += int(v6)
    return out


def rib_of(d):
    if d.get("is_loc"):
        return "loc-rib"
    post = "post" if d.get("is_post") else "pre"
    return "out-" + post if d.get("is_out") else post


def pmbmpd(path):
    names = {}
    tables = collections.defaultdict(set)
    for line in open(path):
        d = json.loads(line)
        conn = (d.get("bmp_router"), d.get("bmp_router_port"))
        if d.get("bmp_msg_type") == "init" and d.get("bmp_init_info_sysname"):
            names[conn] = d["bmp_init_info_sysname"]
        if d.get("bmp_msg_type") != "route_monitor" or d.get("safi") not in (1, 2):
            continue
        key = (names.get(conn, conn[0]), norm_rd(d.get("rd")), rib_of(d), d.get("peer_ip"))
        prefix = (d.get("ip_prefix"), d.get("as_path_id", 0))
        if d.get("log_type") == "update":
            tables[key].add(prefix)
        else:
            tables[key].discard(prefix)
    out, defaults = {}, {}
    for key, prefixes in tables.items():
        v4 = sum(1 for p, _ in prefixes if ":" not in p)
        out[key] = [v4, len(prefixes) - v4]
        defaults[key] = [int(("0.0.0.0/0", 0) in prefixes), int(("::/0", 0) in prefixes)]
    return {k: v for k, v in out.items() if sum(v) > 0}, defaults


def main():
    a, (b, defaults) = ours(sys.argv[1]), pmbmpd(sys.argv[2])
    differ = known = 0
    for key in sorted(set(a) | set(b)):
        if a.get(key) == b.get(key):
            continue
        # pmbmpd 1.7.7 reads the path identifiers of ADD-PATH NLRI (RFC 7911) in some Loc-RIB
        # tables as prefixes: a path id of 0 becomes four 0.0.0.0/0 (::/0) routes. Such a table
        # agrees when its only extra routes are those defaults.
        d = defaults.get(key, [0, 0])
        if a.get(key) and b.get(key) and any(d) and [x - y for x, y in zip(b[key], d)] == a[key]:
            known += 1
            print("agrees but for pmbmpd's ADD-PATH misreading (default routes)", key,
                  "blackout", a[key], "pmbmpd", b[key])
            continue
        differ += 1
        print("differs", key, "blackout", a.get(key), "pmbmpd", b.get(key))
    routes = sum(sum(v) for v in a.values())
    print(f"peers: blackout {len(a)}, pmbmpd {len(b)}; routes held: blackout {routes}, "
          f"pmbmpd {sum(sum(v) for v in b.values())}; peers differing: {differ} "
          f"(and {known} by pmbmpd's ADD-PATH misreading)")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
