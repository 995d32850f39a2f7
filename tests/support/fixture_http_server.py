"""A small HTTP server on 127.0.0.1 for tests that fetch links and images.

Prints its port on the first line of stdout, then serves until its stdin closes.
  /ok                  200
  /missing             404
  /redirect/N          302 to /redirect/N-1; /redirect/0 answers 200
  /loop                302 to itself
  /no-head             405 to HEAD, 200 to GET
  /never               reads the request and never answers
  /image.png?w=W&h=H   a real W x H PNG (greyscale, zlib-compressed)
  /page.html           200, text/html: not an image
  /huge.png            11 MB (a PNG header, then zeros)
  /count/PATH          how many requests PATH received (any method, query ignored)
"""
import http.server
import os
import struct
import sys
import threading
import urllib.parse
import zlib
from collections import Counter

counts = Counter()
lock = threading.Lock()
stop = threading.Event()


def png(width, height):
    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))
            + chunk(b"IEND", b""))


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, status, body=b"", content_type="text/plain", headers=()):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def route(self):
        url = urllib.parse.urlsplit(self.path)
        path, query = url.path, urllib.parse.parse_qs(url.query)
        if path.startswith("/count/"):
            with lock:
                n = counts["/" + path[len("/count/"):]]
            return self.answer(200, str(n).encode())
        with lock:
            counts[path] += 1
        if path == "/ok":
            return self.answer(200, b"ok")
        if path.startswith("/redirect/"):
            n = int(path.rsplit("/", 1)[1])
            if n == 0:
                return self.answer(200, b"arrived")
            return self.answer(302, headers=[("Location", "/redirect/%d" % (n - 1))])
        if path == "/loop":
            return self.answer(302, headers=[("Location", "/loop")])
        if path == "/no-head":
            return self.answer(405 if self.command == "HEAD" else 200, b"get only")
        if path == "/never":
            stop.wait(120)
            return None
        if path == "/image.png":
            return self.answer(200, png(int(query["w"][0]), int(query["h"][0])), "image/png")
        if path == "/page.html":
            return self.answer(200, b"<html><body>hello</body></html>", "text/html")
        if path == "/huge.png":
            return self.answer(200, png(1, 1)[:33] + b"\x00" * (11 * 1024 * 1024), "image/png")
        return self.answer(404, b"not found")

    do_GET = route
    do_HEAD = route


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # an email's URLs are fetched all at once

    def handle_error(self, request, client_address):
        # A client that hangs up early (a fetch stopped at a size limit) is expected.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def main():
    server = Server(("127.0.0.1", 0), Handler)
    print(server.server_address[1], flush=True)

    def watch_stdin():
        sys.stdin.read()
        stop.set()
        os._exit(0)

    threading.Thread(target=watch_stdin, daemon=True).start()
    server.serve_forever()


if __name__ == "__main__":
    main()
