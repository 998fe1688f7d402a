#!/usr/bin/env python3
"""Builds the seed corpora of the fuzz targets from the real MRT files in the shared data folder.

Usage: fuzz/make_corpus.py DATA_DIR OUT_DIR
Writes OUT_DIR/{mrt,bgp_attributes,bgp_nlri,input}/ (nothing is committed: the data stay in place),
and the seeds of the text parsers' targets (see text_seeds below): OUT_DIR/{ioda_csv, series_io,
detect_config, scenario, truth, archive, ip, time, params, service_config}/, made from the real
IODA series file, the repository's own config/ and scenarios/ files and small hand-made fixtures.
Corpus formats (what each target expects, see the targets' comments):
  mrt            MRT records (12-byte header + body) as found in the files, a few at a time; for
                 TABLE_DUMP_V2 the PEER_INDEX_TABLE is prepended so RIB entries decode.
  bgp_attributes 1 option byte (bit0 as4, bit1 rib_entry) + one path attribute block.
  bgp_nlri       1 option byte (bit0 IPv6, bit1 ADD-PATH) + an NLRI list.
  input          small compressed files as they are, and MRT pieces compressed with each codec.
"""
import bz2
import gzip
import hashlib
import lzma
import os
import struct
import subprocess
import sys
import zlib

MAX_SEEDS_PER_FILE = 40


def decompress(raw):
    """Decompresses by magic bytes, keeping what precedes a truncation."""
    if raw[:2] == b"\x1f\x8b":
        return zlib_multi(raw)
    if raw[:3] == b"BZh":
        dec, out = bz2.BZ2Decompressor(), b""
        try:
            out = dec.decompress(raw)
        except (OSError, EOFError, ValueError):
            pass
        return out
    if raw[:6] == b"\xfd7zXZ\x00":
        try:
            return lzma.LZMADecompressor().decompress(raw)
        except lzma.LZMAError:
            return b""
    return raw


def zlib_multi(raw):
    out = b""
    while raw:
        d = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            out += d.decompress(raw)
        except zlib.error:
            break
        raw = d.unused_data
        if not d.eof:
            break
    return out


def records(data):
    """Yields (offset, type, subtype, header+body) for each whole MRT record."""
    off = 0
    while off + 12 <= len(data):
        _, typ, sub, length = struct.unpack_from(">IHHI", data, off)
        if off + 12 + length > len(data) or length > (1 << 24):
            return
        yield off, typ, sub, data[off:off + 12 + length]
        off += 12 + length


def put(outdir, blob):
    if not blob:
        return
    name = hashlib.sha1(blob).hexdigest()
    path = os.path.join(outdir, name)
    if not os.path.exists(path):
        with open(path, "wb") as f:
            f.write(blob)


def attr_blocks_and_nlri(typ, sub, rec):
    """Yields ('attr', opts, block) and ('nlri', opts, bytes) pieces of a record."""
    body = rec[12:]
    try:
        if typ == 13 and sub in (2, 3, 4, 5, 8, 9, 10, 11):  # TABLE_DUMP_V2 RIB entries
            addpath = sub >= 8
            p = 4
            plen = body[p]
            p += 1 + (plen + 7) // 8
            (count,) = struct.unpack_from(">H", body, p)
            p += 2
            for _ in range(count):
                p += 2 + 4 + (4 if addpath else 0)
                (alen,) = struct.unpack_from(">H", body, p)
                p += 2
                yield "attr", 3, body[p:p + alen]
                p += alen
        elif typ == 12:  # TABLE_DUMP v1
            afi_len = 4 if sub == 1 else 16
            p = 2 + 2 + afi_len + 1 + 1 + 4 + afi_len + 2
            (alen,) = struct.unpack_from(">H", body, p)
            yield "attr", 0, body[p + 2:p + 2 + alen]
        elif typ in (16, 17) and sub in (1, 4, 6, 7, 8, 9, 10, 11):  # BGP4MP messages
            if typ == 17:
                body = body[4:]
            as4 = sub in (4, 7, 9, 11)
            addpath = sub >= 8
            p = (8 if as4 else 4) + 2
            (afi,) = struct.unpack_from(">H", body, p)
            p += 2 + (8 if afi == 1 else 32)
            msg = body[p:]
            if len(msg) < 19 or msg[18] != 2:
                return
            p = 19
            (wlen,) = struct.unpack_from(">H", msg, p)
            yield "nlri", 2 if addpath else 0, msg[p + 2:p + 2 + wlen]
            p += 2 + wlen
            (alen,) = struct.unpack_from(">H", msg, p)
            yield "attr", 1 if as4 else 0, msg[p + 2:p + 2 + alen]
            yield "nlri", 2 if addpath else 0, msg[p + 2 + alen:]
    except (IndexError, struct.error):
        return


def main():
    data_dir, out = sys.argv[1], sys.argv[2]
    dirs = {k: os.path.join(out, k) for k in ("mrt", "bgp_attributes", "bgp_nlri", "input")}
    for d in dirs.values():
        os.makedirs(d, exist_ok=True)
    mrt_root = os.path.join(data_dir, "mrt")
    for root, _, files in os.walk(mrt_root):
        for fn in sorted(files):
            path = os.path.join(root, fn)
            if fn.endswith((".bgp.gz", ".txt", ".md", ".py", ".json", ".csv", ".hs", ".rs")):
                continue
            raw = open(path, "rb").read()
            if len(raw) < 120_000 and raw[:2] in (b"\x1f\x8b", b"BZ"):
                put(dirs["input"], raw)
            data = decompress(raw)
            recs = list(records(data))
            if not recs:
                continue
            pit = next((r for _, t, s, r in recs if t == 13 and s == 1), b"")
            step = max(1, len(recs) // MAX_SEEDS_PER_FILE)
            for i in range(0, len(recs), step):
                group = b"".join(r for _, _, _, r in recs[i:i + 3])
                if len(group) > 60_000:
                    group = recs[i][3]
                if len(group) > 60_000:
                    continue
                if recs[i][1] == 13 and recs[i][2] != 1:
                    group = pit + group
                put(dirs["mrt"], group)
                for kind, opts, blob in attr_blocks_and_nlri(recs[i][1], recs[i][2], recs[i][3]):
                    if kind == "attr":
                        put(dirs["bgp_attributes"], bytes([opts]) + blob)
                    elif blob:
                        ipv6 = 0  # NLRI outside MP attributes is IPv4
                        put(dirs["bgp_nlri"], bytes([opts | ipv6]) + blob)
            # Small compressed pieces for the input target.
            piece = data[:8192]
            for cmd in (["gzip", "-c"], ["bzip2", "-c"], ["xz", "-c"], ["zstd", "-q", "-c"]):
                r = subprocess.run(cmd, input=piece, capture_output=True, check=True)
                if len(r.stdout) < 16_000:
                    put(dirs["input"], r.stdout)
                    put(dirs["input"], r.stdout[: len(r.stdout) // 2])  # truncated
    for k, d in dirs.items():
        print(k, len(os.listdir(d)))
    for k, n in text_seeds(data_dir, out).items():
        print(k, n)


def csv_pieces(lines, header):
    """Whole file, head, tail and a few windows of a CSV (header kept on each)."""
    body = lines[1:]
    yield "\n".join(lines) + "\n"
    for start, n in ((0, 12), (len(body) - 12, 12), (len(body) // 2, 40), (100, 3), (0, 1)):
        start = max(0, start)
        yield "\n".join([header] + body[start:start + n]) + "\n"


def text_seeds(data_dir, out):
    """Seeds of the text parsers' targets (each target's input format is in its source comment)."""
    import json
    import tomllib

    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    names = ("ioda_csv", "series_io", "detect_config", "scenario", "truth", "archive", "ip",
             "time", "params", "service_config", "archive_source")
    dirs = {k: os.path.join(out, k) for k in names}
    for d in dirs.values():
        os.makedirs(d, exist_ok=True)

    # IODA series: ioda_csv (1 option byte: bit0 label column) and series_io (1 option byte:
    # format in bits 0-1, entity, step, source) in each of its three formats.
    series_path = os.path.join(data_dir, "series", "ioda-country-IQ-2023-08.csv")
    text = open(series_path, encoding="utf-8").read()
    lines = text.splitlines()
    header = lines[0]
    cols = header.split(",")
    for piece in csv_pieces(lines, header):
        raw = piece.encode()
        put(dirs["ioda_csv"], b"\x00" + raw)
        put(dirs["ioda_csv"], b"\x01" + raw.replace(b"LABEL", b"label"))
        put(dirs["series_io"], b"\x00" + raw)
        put(dirs["series_io"], b"\x18" + raw)
    signals = {"gtr": "traffic", "merit-nt": "darknet", "bgp": "bgp", "ping-slash24": "probe"}
    rows = [ln.split(",") for ln in lines[1:]]
    csv_rows = ["entity,signal,timestamp,value"]
    series = []
    for name, signal in signals.items():
        i = cols.index(name)
        for r in rows[:200]:
            csv_rows.append(f"country/IQ,{signal},{r[0]},{r[i]}")
        values = [float(r[i]) if r[i] else None for r in rows[:150]]
        series.append({"entityType": "country", "entityCode": "IQ", "datasource": name,
                       "subtype": "", "from": int(rows[0][0]), "until": int(rows[150][0]),
                       "step": 300, "nativeStep": 300, "values": values})
    put(dirs["series_io"], b"\x02" + ("\n".join(csv_rows[:300]) + "\n").encode())
    put(dirs["series_io"], b"\x02" + ("\n".join(csv_rows[:3] + [csv_rows[400] + ",ris-rrc04"])
                                      + "\n").encode())
    envelope = {"type": "signals", "error": None, "data": [series]}
    put(dirs["series_io"], b"\x01" + json.dumps(envelope).encode())
    put(dirs["series_io"], b"\x01" + json.dumps(series[2]).encode())

    # Timestamps and dates as the files write them.
    for r in rows[:: max(1, len(rows) // 20)]:
        put(dirs["time"], r[0].encode())
        put(dirs["time"], r[cols.index("datetime")].encode())
    for t in ("2022-01-05", "2022-01-05T10:30", "2022-01-05T10:30:00Z", "2022-01-05 10:30:00",
              "2022-01-05T10:30:00.250+05:30", "20220105", "2024-02-29T23:59:60Z", "0"):
        put(dirs["time"], t.encode())

    # TOML files of the repository.
    for name, target in (("config/detect.toml", "detect_config"),
                         ("config/blackout.example.toml", "service_config"),
                         ("scenarios/kazakhstan-2022.toml", "scenario")):
        put(dirs[target], open(os.path.join(repo, name), "rb").read())
    put(dirs["detect_config"], b"[signal.bgp]\nmethod = \"seasonal\"\nwarning = 0.9\n")
    put(dirs["service_config"], b"[server]\nlisten = \"[::1]:8080\"\nthreads = 4\n"
                                b"[sources]\nbgp = [\"a.mrt\"]\npoll_seconds = 60\n")

    # truth.json as `blackout simulate` writes it, from the scenario's truth events.
    scenario = tomllib.load(open(os.path.join(repo, "scenarios/kazakhstan-2022.toml"), "rb"))

    def unix(v):
        import datetime
        if isinstance(v, str):
            v = datetime.datetime.fromisoformat(v.replace("Z", "+00:00"))
        return int(v.timestamp())

    events = []
    for e in scenario.get("truth", {}).get("event", []):
        ev = {"id": e.get("id", ""), "entities": e["entities"], "start": unix(e["start"]),
              "end": unix(e["end"]), "level": e.get("level", 0.05),
              "technique": e.get("technique", "packets-filtered"),
              "phases": [{"start": unix(p["start"]), "end": unix(p["end"]),
                          "level": p.get("level", 0), "label": p.get("label", "")}
                         for p in e.get("phase", [])]}
        events.append(ev)
        put(dirs["truth"], json.dumps({"scenario": "one", "events": [ev]}).encode())
    put(dirs["truth"], json.dumps({"scenario": scenario["scenario"]["name"],
                                   "events": events}, indent=1).encode())

    # Addresses and prefixes: the scenario's, and hand-made ones of every shape.
    for net in scenario.get("network", []):
        for p in net.get("prefixes", [])[:3]:
            put(dirs["ip"], p.encode())
    for a in ("198.18.0.1", "0.0.0.0/0", "::", "::1", "2001:db8::/32", "::ffff:198.18.0.1",
              "fe80::1:2:3:4:5", "2001:db8:0:0:1:0:0:1", "198.18.0.0/15", "1:2:3:4:5:6:7:8/128"):
        put(dirs["ip"], a.encode())

    # Archive: "collector\nfrom\nuntil\nbase-url".
    for c, f, u, b in (("rrc00", "2021-01-01T00:00:00Z", "2021-01-01T01:00:00Z", ""),
                       ("route-views2", "2021-01-01", "2021-01-01T06:00", "http://x/"),
                       ("route-views.sydney", "1609459200", "1609470000", "file:///tmp/a"),
                       ("route-views6", "2021-02-28T23:50Z", "2021-03-01T00:10Z", "")):
        put(dirs["archive"], f"{c}\n{f}\n{u}\n{b}".encode())

    # Archive sources (sources.bgp): "source\nfrom".
    for src, f in (("ris:rrc00", "2021-01-01T00:00:00Z"),
                   ("routeviews:route-views2 base=http://127.0.0.1:8000/m/", "2021-01-01"),
                   ("routeviews:route-views.sydney backfill_days=2", "1609459200"),
                   ("https://m/rrc04/{YYYY}.{MM}/updates.{YYYYMMDD}.{HHMM}.gz", "2021-02-28T23:50Z"),
                   ("http://m/route-views.amsix/bgpdata/{YYYY}.{MM}/UPDATES/updates.{YYYYMMDD}."
                    "{HHMM}.bz2", "2021-01-01T05:00Z"),
                   ("https://m/{YYYY}/{MM}/{DD}/x-{YYYY}{MM}{DD}-{HH}{mm}.mrt collector=mine "
                    "period=600 rib=https://m/r/{YYYYMMDD}.{HHMM} rib_period=3600", "2021-01-01")):
        put(dirs["archive_source"], f"{src}\n{f}".encode())

    # API parameters: option byte (bit0 from, bit1 until, bit2 integer), "from\nuntil\nint\nname".
    for o, body in ((7, "2022-01-04T00:00:00Z\n2022-01-06T00:00:00Z\n500\nKZ"),
                    (3, "1641254400\n1641427200\n\nping-slash24"),
                    (4, "\n\n99999999999999999999\nasn"),
                    (1, "2022-01-04\n\n-5\nregion")):
        put(dirs["params"], bytes([o]) + body.encode())
    return {k: len(os.listdir(d)) for k, d in dirs.items()}


if __name__ == "__main__":
    main()
