#!/usr/bin/env python3
"""Seeds for blackout_curated_list_fuzz: pieces of the real lists (header + a few rows, the
format byte first) and a Radar API answer. Usage: make_seeds.py DATA OUT"""
import json, pathlib, sys

data, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
out.mkdir(parents=True, exist_ok=True)
lists = [(0, data / "events/keepiton-stop-2016-2025.csv"),
         (1, data / "events/ioda-investigated-outages-2018-2022.csv")]
lists += [(2, p) for p in sorted((data / "annotations/cloudflare-radar").glob("*.csv"))]
n = 0
for fmt, path in lists:
    lines = path.read_bytes().split(b"\n")
    for start in range(1, min(len(lines), 400), 40):
        piece = b"\n".join([lines[0]] + lines[start:start + 6])
        (out / ("seed-%03d" % n)).write_bytes(bytes([fmt]) + piece)
        n += 1
api = {"success": True, "result": {"annotations": [
    {"id": "1510", "startDate": "2025-12-09T16:15:00Z", "endDate": "2025-12-09T19:30:00Z",
     "locations": ["DO"], "asns": [6400], "eventType": "OUTAGE", "scope": "Claro",
     "outage": {"outageCause": "CABLE_CUT", "outageType": "NETWORK"}}]}}
(out / "seed-api").write_bytes(bytes([2]) + json.dumps(api).encode())
print(n + 1, "seeds in", out)
