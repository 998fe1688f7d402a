#!/usr/bin/env python3
"""A RIS Live stand-in for the tests (tests/rislive/): a WebSocket server on loopback that replays
recorded RIS Live streams (one JSON message per line, sent as is, malformed lines included).

Each connection must first send its ris_subscribe message; the server appends it to --subscribe-log
(one line per connection), answers ris_subscribe_ok, then sends the next lines of the stream.
--drop-after N cuts the first connection without a close frame after N lines (the client must
reconnect; the second connection gets the rest); --oversize-first N sends an N-byte message first
on the first connection (a client with a smaller limit must drop it and reconnect). Before serving, the server writes --expect: an
independent count, by Python's json module from the JSON fields (not the raw BGP bytes), of the
elements per peer ("collector|peer|asn") and of the messages, malformed lines and ris_errors.
With --cert/--key it serves wss:// (TLS). The chosen port goes to --port-file.
"""
import argparse
import asyncio
import json
import ssl
import sys

import websockets


def collector(host):
    host = host.lower()
    return host[: -len(".ripe.net")] if host.endswith(".ripe.net") and len(host) > 9 else host


def expectations(lines):
    peers, malformed, errors, messages = {}, 0, 0, 0
    for line in lines:
        try:
            m = json.loads(line)
        except ValueError:
            malformed += 1
            continue
        messages += 1
        if m.get("type") == "ris_error":
            errors += 1
            continue
        d = m.get("data", {})
        n = 0
        if d.get("type") == "UPDATE":
            n += len(d.get("withdrawals", []))
            for i, group in enumerate(d.get("announcements", [])):
                # RIS Live lists an IPv6 link-local second next hop as a group of its own.
                if i > 0 and group.get("next_hop", "").lower().startswith("fe80:"):
                    continue
                n += len(group.get("prefixes", []))
        elif d.get("type") == "RIS_PEER_STATE":
            n = 1
        else:
            continue
        key = "%s|%s|%s" % (collector(d["host"]), d["peer"], d["peer_asn"])
        peers[key] = peers.get(key, 0) + n
    return {"peers": peers, "messages": messages, "malformed": malformed, "ris_errors": errors,
            "lines": len(lines)}


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("files", nargs="+")
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--subscribe-log", required=True)
    ap.add_argument("--expect", required=True)
    ap.add_argument("--drop-after", type=int, default=-1)
    ap.add_argument("--oversize-first", type=int, default=0,
                    help="first connection: send a text message of this many bytes first")
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--lifetime", type=float, default=120)
    args = ap.parse_args()

    lines = []
    for f in args.files:
        with open(f, "rb") as fh:
            lines += [l.decode() for l in fh.read().split(b"\n") if l.strip()]
    with open(args.expect, "w") as fh:
        json.dump(expectations(lines), fh)

    state = {"next": 0, "connections": 0}

    async def serve(ws, path=None):
        state["connections"] += 1
        first = state["connections"] == 1
        sub = await ws.recv()
        with open(args.subscribe_log, "a") as fh:
            fh.write(sub.strip() + "\n")
        await ws.send(json.dumps({"type": "ris_subscribe_ok", "data": json.loads(sub)["data"]}))
        if first and args.oversize_first > 0:
            await ws.send("x" * args.oversize_first)
            await ws.wait_closed()  # the client must refuse it and go; no line is spent here
            return
        while state["next"] < len(lines):
            if first and 0 <= args.drop_after <= state["next"]:
                # Everything sent so far has arrived once the client answers a ping (frames are
                # read in order); then the connection just dies, without a close frame.
                await asyncio.wait_for(await ws.ping(), 10)
                ws.transport.abort()
                return
            await ws.send(lines[state["next"]])
            state["next"] += 1
        await ws.wait_closed()

    tls = None
    if args.cert:
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls.load_cert_chain(args.cert, args.key)
    async with websockets.serve(serve, "127.0.0.1", 0, ssl=tls) as server:
        port = server.sockets[0].getsockname()[1]
        with open(args.port_file + ".tmp", "w") as fh:
            fh.write(str(port))
        import os
        os.replace(args.port_file + ".tmp", args.port_file)
        await asyncio.sleep(args.lifetime)


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
