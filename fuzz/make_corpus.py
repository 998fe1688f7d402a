#!/usr/bin/env python3
"""Builds the seed corpora of the fuzz targets from the real MRT files in the shared data folder.

Usage: fuzz/make_corpus.py DATA_DIR OUT_DIR
Writes OUT_DIR/{mrt,bgp_attributes,bgp_nlri,input}/ (nothing is committed: the data stay in place).
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


if __name__ == "__main__":
    main()
