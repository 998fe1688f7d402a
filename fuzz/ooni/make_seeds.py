#!/usr/bin/env python3
"""Seeds for blackout_ooni_measurement_fuzz from the real measurements (shared/data/ooni), made at
fuzz time, never stored in the repository: each measurement as one line, cut to its verdict-bearing
fields (the fuzzer's inputs stay small), plus a truncated copy and an API answer wrapping one.
Usage: make_seeds.py DATA_DIR OUT_DIR"""
import json
import pathlib
import sys

data, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
out.mkdir(parents=True, exist_ok=True)
big = ("network_events", "queries", "requests", "tcp_connect", "tls_handshakes", "control",
       "x_doh", "x_do53", "x_conn_priority_log", "tor_logs")
for i, p in enumerate(sorted(data.glob("ooni/*/*.json"))):
    m = json.loads(p.read_text())
    tk = m.get("test_keys") or {}
    m["test_keys"] = {k: v for k, v in tk.items() if k not in big}
    line = json.dumps(m)
    (out / ("m%02d.json" % i)).write_text(line)
    (out / ("m%02d-cut.json" % i)).write_text(line[: len(line) // 2])
    (out / ("m%02d-api.json" % i)).write_text(json.dumps({"raw_measurement": line}))
