#!/usr/bin/env python3
"""Seeds for blackout_rislive_message_fuzz: every line of the recorded RIS Live streams in
DATA/ris-live (each with option byte 0 and 1), and each whole file (ParseLines' input).
Usage: fuzz/rislive/make_seeds.py ../shared/data /tmp/fz/seeds/rislive"""
import hashlib
import os
import sys


def main():
    data_dir, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    root = os.path.join(data_dir, "ris-live")
    n = 0
    for folder, _, files in os.walk(root):
        for name in sorted(files):
            raw = open(os.path.join(folder, name), "rb").read()
            blobs = [raw] + [l for l in raw.split(b"\n") if l.strip()][:200]
            for blob in blobs:
                for opts in (0, 1):
                    seed = bytes([opts]) + blob
                    with open(os.path.join(out, hashlib.sha1(seed).hexdigest()), "wb") as fh:
                        fh.write(seed)
                    n += 1
    print("%d seeds in %s" % (n, out))


if __name__ == "__main__":
    main()
