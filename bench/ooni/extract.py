"""The peer of ooni_read: the same field extraction with python3's json module, one measurement
per line on stdin (zcat FILE | python3 bench/ooni/extract.py). Reads test_name, probe_cc,
probe_asn, measurement_start_time and the verdict fields ooni/verdict.cc reads, and counts
measurements whose fields say blocked (a simplified verdict: the point is the decoding cost)."""
import json
import sys
import time

KEYS = ("blocking", "accessible", "http_experiment_failure", "control_failure",
        "telegram_tcp_blocking", "telegram_http_blocking", "telegram_web_status",
        "signal_backend_status", "signal_backend_failure", "whatsapp_endpoints_status",
        "registration_server_status", "whatsapp_web_status", "facebook_tcp_blocking",
        "facebook_dns_blocking", "success", "failure", "api_status", "api_failure")

t0 = time.perf_counter()
c0 = time.process_time()
n = blocked = nbytes = 0
for line in sys.stdin.buffer:
    nbytes += len(line)
    m = json.loads(line)
    if "raw_measurement" in m:
        m = json.loads(m["raw_measurement"])
    ident = (m.get("test_name"), m.get("probe_cc"), m.get("probe_asn"),
             m.get("measurement_start_time"))
    tk = m.get("test_keys") or {}
    fields = {k: tk.get(k) for k in KEYS}
    targets = tk.get("targets")
    if isinstance(targets, dict):
        targets = list(targets.values())
    failures = [t.get("failure") for t in targets or [] if isinstance(t, dict)]
    if (fields["blocking"] not in (None, False) or fields["telegram_tcp_blocking"]
            or "blocked" in (fields["signal_backend_status"], fields["whatsapp_web_status"],
                             fields["whatsapp_endpoints_status"], fields["api_status"])
            or fields["success"] is False):
        blocked += 1
    n += 1
wall = time.perf_counter() - t0
cpu = time.process_time() - c0
print("python3 json: %d measurements (%d blocked), %.1f MB JSON; wall %.3f s = %.0f "
      "measurements/s; cpu %.3f s = %.0f measurements/s per core (python only; zcat apart)"
      % (n, blocked, nbytes / 1e6, wall, n / wall, cpu, n / cpu))
