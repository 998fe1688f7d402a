#!/usr/bin/env python3
"""A loopback HTTP server that serves a folder laid out like the RIS / RouteViews archives, for the
`blackout fetch bgp` and archive-following tests. Files may be symlinks to files elsewhere (the real
MRT files are served in place); a file that appears later is served from then on (a late file), a
missing one answers 404. Supports HEAD, single Range requests (206 / 416), ETag and If-Range (a
Range whose If-Range no longer matches gets the whole file, 200), and injects faults:
  --fail-first N    the first N GETs of each path answer 503
  --cut-at BYTES    the first GET of each path that starts at offset 0 announces the full length but
                    closes the connection after BYTES bytes (a dropped transfer to be resumed)
  --cut-only TEXT   cut only paths containing TEXT
  --no-etag         send no ETag (so a resumed transfer cannot tell a changed file by If-Range)
Binds 127.0.0.1 on a free port, writes the port to --port-file, exits after --lifetime seconds.
Every request is logged as one line "METHOD PATH RANGE -> CODE" to --log."""
import argparse
import http.server
import os
import threading

args = None
lock = threading.Lock()
gets = {}
cut_done = set()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *a):
        pass

    def note(self, code):
        if args.log:
            with lock, open(args.log, "a") as f:
                f.write("%s %s %s -> %d\n" % (self.command, self.path,
                                              self.headers.get("Range", "-"), code))

    def path_on_disk(self):
        rel = self.path.split("?", 1)[0].lstrip("/")
        # Symlinks may point anywhere (real data served in place); ".." may not leave the folder.
        root = os.path.abspath(args.dir)
        full = os.path.normpath(os.path.join(root, rel))
        if not full.startswith(root + os.sep) or not os.path.isfile(full):
            return None
        return full

    def etag(self, full):
        st = os.stat(full)
        return '"%x-%x-%x"' % (st.st_ino, st.st_size, st.st_mtime_ns)

    def validators(self, full):
        if not args.no_etag:
            self.send_header("ETag", self.etag(full))

    def plain(self, code):
        self.note(code)
        self.send_response(code)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_HEAD(self):
        full = self.path_on_disk()
        if full is None:
            return self.plain(404)
        self.note(200)
        self.send_response(200)
        self.send_header("Content-Length", str(os.path.getsize(full)))
        self.validators(full)
        self.end_headers()

    def do_GET(self):
        full = self.path_on_disk()
        if full is None:
            return self.plain(404)
        with lock:
            n = gets.get(self.path, 0)
            gets[self.path] = n + 1
        if n < args.fail_first:
            return self.plain(503)
        size = os.path.getsize(full)
        start = 0
        rng = self.headers.get("Range")
        if_range = self.headers.get("If-Range")
        if rng and if_range is not None and (args.no_etag or if_range != self.etag(full)):
            rng = None  # the file changed since the client's partial copy: send it whole
        if rng:
            start = int(rng.split("=", 1)[1].split("-", 1)[0])
            if start >= size:
                self.note(416)
                self.send_response(416)
                self.send_header("Content-Range", "bytes */%d" % size)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
        with open(full, "rb") as f:
            f.seek(start)
            body = f.read()
        code = 206 if rng else 200
        self.note(code)
        self.send_response(code)
        self.send_header("Content-Length", str(len(body)))
        if rng:
            self.send_header("Content-Range", "bytes %d-%d/%d" % (start, size - 1, size))
        self.validators(full)
        self.end_headers()
        cut = False
        with lock:
            if (args.cut_at and start == 0 and self.path not in cut_done and
                    len(body) > args.cut_at and args.cut_only in self.path):
                cut_done.add(self.path)
                cut = True
        if cut:
            self.wfile.write(body[:args.cut_at])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(body)


def main():
    global args
    p = argparse.ArgumentParser()
    p.add_argument("--dir", required=True)
    p.add_argument("--port-file", required=True)
    p.add_argument("--log")
    p.add_argument("--fail-first", type=int, default=0)
    p.add_argument("--cut-at", type=int, default=0)
    p.add_argument("--cut-only", default="")
    p.add_argument("--no-etag", action="store_true")
    p.add_argument("--lifetime", type=float, default=300)
    args = p.parse_args()
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(srv.server_address[1]))
    os.rename(tmp, args.port_file)
    threading.Timer(args.lifetime, srv.shutdown).start()
    srv.serve_forever()


if __name__ == "__main__":
    main()
