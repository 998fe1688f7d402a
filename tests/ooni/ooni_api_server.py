#!/usr/bin/env python3
"""A loopback stand-in for the OONI API, for the `blackout fetch ooni` tests. Serves
  GET /api/v1/measurements?probe_cc=&since=&until=&test_name=&limit=&offset=
      -> {"metadata": {...}, "results": [{"measurement_uid": ..., ...}]} from the measurements in
         --dir (one raw measurement per *.json file), filtered by country, test and time, paged
  GET /api/v1/measurement_meta?measurement_uid=UID&full=true
      -> {"measurement_uid": UID, ..., "raw_measurement": "<the raw measurement as a string>"}
Faults: --fail-first N answers 503 to the first N requests of each measurement_meta uid;
--missing UID answers 404 for that uid. Binds 127.0.0.1 on a free port, writes it to --port-file,
exits after --lifetime seconds. Each request is logged as "PATH?QUERY -> CODE" to --log."""
import argparse
import http.server
import json
import os
import threading
import urllib.parse

args = None
lock = threading.Lock()
hits = {}
measurements = []  # (uid, raw dict, raw text)


def load():
    for name in sorted(os.listdir(args.dir)):
        if name.endswith(".json"):
            text = open(os.path.join(args.dir, name)).read()
            raw = json.loads(text)
            uid = "uid-" + name[:-5]
            measurements.append((uid, raw, text))


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *a):
        pass

    def reply(self, code, obj):
        body = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        if args.log:
            with lock, open(args.log, "a") as f:
                f.write("%s -> %d\n" % (self.path, code))

    def do_GET(self):
        url = urllib.parse.urlparse(self.path)
        q = {k: v[0] for k, v in urllib.parse.parse_qs(url.query).items()}
        if url.path == "/api/v1/measurements":
            since = q.get("since", "").replace("T", " ")
            until = q.get("until", "").replace("T", " ")
            rows = [(uid, raw) for uid, raw, _ in measurements
                    if raw.get("probe_cc") == q.get("probe_cc")
                    and raw.get("test_name") == q.get("test_name", raw.get("test_name"))
                    and since <= raw.get("measurement_start_time", "") < until]
            off, lim = int(q.get("offset", 0)), int(q.get("limit", 100))
            page = rows[off:off + lim]
            self.reply(200, {"metadata": {"count": len(rows), "offset": off, "limit": lim},
                             "results": [{"measurement_uid": uid, "test_name": raw["test_name"],
                                          "probe_cc": raw["probe_cc"],
                                          "measurement_start_time": raw["measurement_start_time"]}
                                         for uid, raw in page]})
        elif url.path == "/api/v1/measurement_meta":
            uid = q.get("measurement_uid", "")
            with lock:
                hits[uid] = hits.get(uid, 0) + 1
                n = hits[uid]
            if uid in (args.missing or []):
                return self.reply(404, {"error": "not found"})
            if n <= args.fail_first:
                return self.reply(503, {"error": "busy"})
            for u, raw, text in measurements:
                if u == uid:
                    return self.reply(200, {"measurement_uid": uid, "probe_cc": raw["probe_cc"],
                                            "test_name": raw["test_name"], "anomaly": False,
                                            "raw_measurement": text})
            self.reply(404, {"error": "not found"})
        else:
            self.reply(404, {"error": "no route"})


def main():
    global args
    p = argparse.ArgumentParser()
    p.add_argument("--dir", required=True)
    p.add_argument("--port-file", required=True)
    p.add_argument("--log")
    p.add_argument("--lifetime", type=float, default=120)
    p.add_argument("--fail-first", type=int, default=0)
    p.add_argument("--missing", action="append")
    args = p.parse_args()
    load()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    with open(args.port_file + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    os.rename(args.port_file + ".tmp", args.port_file)
    threading.Timer(args.lifetime, server.shutdown).start()
    server.serve_forever()


if __name__ == "__main__":
    main()
