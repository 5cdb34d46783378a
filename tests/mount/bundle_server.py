#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A publisher's static web server for the subscription tests: HTTPS on
127.0.0.1, files from one folder, with a strong ETag (the SHA-256 of the
bytes) and If-None-Match answered 304, as nginx or a CDN would. Every
response is logged as `METHOD PATH STATUS BYTES-SENT`, so the test counts
downloads. Two paths misbehave on purpose:

  /endless.nlb   bytes for ever, with no Content-Length (the client's bound
                 must cut it off; the log says how much was sent)
  /slow.nlb      a few bytes, then nothing for a minute (so is
                 /coalition.nlb while DIR/.slow exists)

and /dated/NAME serves NAME as a server without ETags does: Last-Modified,
and If-Modified-Since answered 304.

usage: bundle_server.py DIR CERT KEY PORT PORTFILE LOG   (PORT 0: any free one)
"""
import email.utils
import hashlib
import http.server
import os
import ssl
import sys
import time

root, cert, key, port, portfile, logname = sys.argv[1:]
log = open(logname, "a", buffering=1)


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def done(self, status, sent):
        log.write(f"{self.command} {self.path} {status} {sent}\n")

    def do_GET(self):
        name = self.path.split("?")[0].lstrip("/")
        if name == "endless.nlb":
            return self.endless()
        if name == "slow.nlb" or (name == "coalition.nlb" and os.path.exists(os.path.join(root, ".slow"))):
            return self.slow()
        dated = name.startswith("dated/")
        if dated:
            name = name[len("dated/"):]
        path = os.path.join(root, name)
        if "/" in name or not os.path.isfile(path):
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return self.done(404, 0)
        data = open(path, "rb").read()
        mtime = int(os.stat(path).st_mtime)
        if dated:
            return self.dated(data, mtime)
        etag = '"' + hashlib.sha256(data).hexdigest() + '"'
        # RFC 9110: If-None-Match wins; If-Modified-Since is then ignored.
        if etag in [t.strip() for t in self.headers.get("If-None-Match", "").split(",")]:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            return self.done(304, 0)
        self.send_response(200)
        self.send_header("Content-Type", "application/x-tar")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", self.date_time_string(mtime))
        self.end_headers()
        self.wfile.write(data)
        self.done(200, len(data))

    def dated(self, data, mtime):
        since = self.headers.get("If-Modified-Since")
        if since and mtime <= email.utils.parsedate_to_datetime(since).timestamp():
            self.send_response(304)
            self.end_headers()
            return self.done(304, 0)
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Last-Modified", self.date_time_string(mtime))
        self.end_headers()
        self.wfile.write(data)
        self.done(200, len(data))

    def endless(self):
        self.protocol_version = "HTTP/1.0"  # the body ends when the connection does
        self.send_response(200)
        self.send_header("Content-Type", "application/x-tar")
        self.end_headers()
        sent, chunk = 0, b"\0" * 65536
        try:
            while sent < 1 << 31:  # 2 GiB, should the bound fail
                self.wfile.write(chunk)
                sent += len(chunk)
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError, OSError):
            pass
        self.close_connection = True
        self.done(200, sent)

    def slow(self):
        self.send_response(200)
        self.send_header("Content-Length", "100000")
        self.end_headers()
        self.wfile.write(b"\0" * 100)
        self.wfile.flush()
        log.write(f"SLOW {self.path}\n")
        time.sleep(60)
        self.done(200, 100)


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


httpd = Server(("127.0.0.1", int(port)), Handler)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
httpd.socket = ctx.wrap_socket(httpd.socket, server_side=True)
with open(portfile + ".tmp", "w") as f:
    f.write(str(httpd.server_address[1]))
os.rename(portfile + ".tmp", portfile)
httpd.serve_forever()
