#!/usr/bin/env python3
"""End to end: the real `wasinfer serve` with MobileNet V2 1.0 on 127.0.0.1, real HTTP clients.

- the original request form (image URL as a text/plain body on /) answers the right label for
  images served by a local HTTP server (with --allow-private-urls); without the flag a loopback
  URL is refused;
- POST /v1/classify answers an accepted top-1 for every expected.tsv row of the model, as raw
  bytes, and as multipart upload / JSON URL for some;
- 16 concurrent clients x 25 requests: all answered correctly, none dropped;
- --threads 1 --queue 1 and a burst: some 503 with Retry-After: 1, the rest answered right;
- bad inputs get their status and the service keeps answering; clients that disconnect
  mid-upload and before the answer;
- SIGTERM under load: every request in flight is answered, exit code 0 (under ASan a leak
  would make it non-zero).

Usage: test_serve_e2e.py WASINFER_BINARY   (WASINFER_DATA: the data folder)
Python standard library only.
"""
import functools
import http.client
import http.server
import json
import os
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
import zlib

MODEL = "models/tf/mobilenet_v2_1.0_224_frozen.pb"
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what, file=sys.stderr, flush=True)
    return cond


def data_dir():
    d = os.environ.get("WASINFER_DATA", "../shared/data")
    if not os.path.isfile(os.path.join(d, MODEL)):
        print(f"test data missing: {os.path.join(d, MODEL)} (set WASINFER_DATA)", file=sys.stderr)
        sys.exit(1)
    return d


class Service:
    """A running `wasinfer serve` on 127.0.0.1 with a free port."""

    def __init__(self, binary, data, *extra):
        args = [binary, "serve", "--model", os.path.join(data, MODEL),
                "--labels", os.path.join(data, "labels/imagenet_1001.txt"),
                "--host", "127.0.0.1", "--port", "0", *extra]
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        if not line.startswith("Listening on http://127.0.0.1:"):
            self.proc.kill()
            raise SystemExit(f"service did not start: {line!r} {self.proc.stderr.read()}")
        self.port = int(line.strip().rsplit(":", 1)[1])
        self.log = []
        self.log_thread = threading.Thread(target=self._drain_log, daemon=True)
        self.log_thread.start()

    def _drain_log(self):
        for line in self.proc.stderr:
            self.log.append(line)

    def request(self, method, path, body=None, headers=None, timeout=600):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            r = conn.getresponse()
            return r.status, r.read(), dict(r.getheaders())
        finally:
            conn.close()

    def expect_continue(self, length):
        """Announces a body of `length` bytes with Expect: 100-continue, as curl does, and
        returns the service's answer, which must come before any of the body is sent."""
        s = socket.create_connection(("127.0.0.1", self.port), timeout=60)
        s.sendall((f"POST /v1/classify HTTP/1.1\r\nHost: x\r\nContent-Type: image/jpeg\r\n"
                   f"Content-Length: {length}\r\nExpect: 100-continue\r\n\r\n").encode())
        r = http.client.HTTPResponse(s)
        r.begin()
        answer = r.status, r.read(), dict(r.getheaders())
        s.close()
        return answer

    def classify(self, image_bytes, path="/v1/classify?top_k=1", content_type="image/jpeg"):
        return self.request("POST", path, image_bytes, {"Content-Type": content_type})

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(timeout=600)
        self.log_thread.join(timeout=10)
        return code


def top1(body):
    return json.loads(body)["top"][0]["index"]


def image_server(root):
    """A quiet static file server on 127.0.0.1 in a thread."""
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass
    handler = functools.partial(Quiet, directory=root)
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


def tiny_png(width, height):
    """A valid grey PNG, written with zlib (no imaging library)."""
    raw = b"".join(b"\x00" + bytes((x * 7 + y * 3) & 255 for x in range(width)) for y in range(height))
    def chunk(kind, payload):
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def multipart(field, filename, payload, boundary="wasinferBoundary7"):
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{filename}\"\r\n"
            "Content-Type: image/jpeg\r\n\r\n").encode()
    return head + payload + f"\r\n--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def main():
    binary = sys.argv[1]
    data = data_dir()
    labels = open(os.path.join(data, "labels/imagenet_1001.txt"), encoding="utf-8").read().splitlines()
    rows = []
    for line in open(os.path.join(data, "expected.tsv"), encoding="utf-8"):
        if line.startswith("#") or not line.strip():
            continue
        model, image, accepted = line.rstrip("\n").split("\t")[:3]
        if model == MODEL:
            rows.append((image, {int(a) for a in accepted.split(",")}))
    check(len(rows) >= 6, f"expected.tsv has rows for {MODEL}")
    images = {img: open(os.path.join(data, img), "rb").read() for img, _ in rows}
    files = image_server(os.path.join(data, "images"))
    base = f"http://127.0.0.1:{files.server_address[1]}"

    svc = Service(binary, data, "--threads", "2", "--queue", "64", "--allow-private-urls")
    try:
        # The original form: the URL as the body, the label as text.
        for img, accepted in rows[:4]:
            status, body, headers = svc.request("POST", "/", f"{base}/{os.path.basename(img)}".encode(),
                                                {"Content-Type": "text/plain"})
            check(status == 200 and body.decode() in {labels[a] for a in accepted},
                  f"POST / {img}: {status} {body!r}")
        status, body, _ = svc.request("GET", "/", f"{base}/golden-retriever.jpeg".encode(), {"Content-Type": "text/plain"})
        check(status == 200 and body == b"golden retriever", f"GET / with URL body: {status} {body!r}")

        # Every expected.tsv row as raw bytes.
        for img, accepted in rows:
            status, body, _ = svc.classify(images[img])
            check(status == 200 and top1(body) in accepted, f"/v1/classify {img}: {status} {body[:200]!r}")
        # Multipart upload and JSON URL, top_k 3.
        img, accepted = rows[0]
        payload, ctype = multipart("image", "x.jpg", images[img])
        status, body, _ = svc.request("POST", "/v1/classify?top_k=3", payload, {"Content-Type": ctype})
        check(status == 200 and top1(body) in accepted and len(json.loads(body)["top"]) == 3,
              f"multipart {img}: {status} {body[:200]!r}")
        status, body, _ = svc.request("POST", "/v1/classify", json.dumps(
            {"url": f"{base}/{os.path.basename(img)}", "top_k": 2}).encode(), {"Content-Type": "application/json"})
        doc = json.loads(body) if status == 200 else {}
        check(status == 200 and top1(body) in accepted and len(doc["top"]) == 2 and doc["timing_ms"]["fetch"] > 0
              and doc["model"] == os.path.basename(MODEL), f"JSON url {img}: {status} {body[:300]!r}")

        # 16 clients x 25 requests, each checked.
        dog = images["images/golden-retriever.jpeg"]
        results = [[] for _ in range(16)]
        def client(i):
            for _ in range(25):
                try:
                    status, body, _ = svc.classify(dog)
                    results[i].append(status == 200 and top1(body) == 208)
                except Exception as e:  # a dropped connection counts as a failure
                    results[i].append(False)
        threads = [threading.Thread(target=client, args=(i,)) for i in range(16)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        good = sum(sum(r) for r in results)
        check(good == 16 * 25, f"16 x 25 concurrent: {good} of 400 answered correctly")

        # Bad inputs, each with its status, then a good request.
        dog_bytes = images["images/golden-retriever.jpeg"]
        bad = [
            ("truncated JPEG", svc.classify(dog_bytes[:200]), 422),
            ("not an image", svc.classify(b"hello world, this is text"), 415),
            ("HTML content type", svc.classify(b"<html></html>", content_type="text/html"), 415),
            ("wrong method", svc.request("GET", "/v1/classify"), 405),
            ("unknown route", svc.request("GET", "/v2/nothing"), 404),
            ("URL answering 404", svc.request("POST", "/v1/classify", json.dumps({"url": f"{base}/nope.jpg"}).encode(),
                                              {"Content-Type": "application/json"}), 502),
            ("URL refused (closed port)", svc.request("POST", "/", b"http://127.0.0.1:9/x.jpg"), 502),
            ("bad JSON", svc.request("POST", "/v1/classify", b"{\"url\":", {"Content-Type": "application/json"}), 400),
            ("body over the limit", svc.expect_continue(11 << 20), 413),
        ]
        for what, (status, body, _), want in bad:
            check(status == want and b"\"error\"" in body, f"{what}: wanted {want}, got {status} {body[:200]!r}")
        status, body, _ = svc.classify(dog_bytes)
        check(status == 200 and top1(body) == 208, f"after bad inputs: {status} {body[:200]!r}")

        # Clients that go away: mid-upload, and after sending, before the answer.
        for cut in (True, False):
            s = socket.create_connection(("127.0.0.1", svc.port))
            head = (f"POST /v1/classify HTTP/1.1\r\nHost: x\r\nContent-Type: image/jpeg\r\n"
                    f"Content-Length: {len(dog_bytes)}\r\n\r\n").encode()
            s.sendall(head + (dog_bytes[:1000] if cut else dog_bytes))
            s.close()
        deadline = time.time() + 120  # the second one is classified before it is dropped
        while True:
            status, body, _ = svc.request("GET", "/metrics")
            text = body.decode()
            if "wasinfer_http_requests_in_flight 1\n" in text or time.time() > deadline:
                break
            time.sleep(0.05)
        check(status == 200 and "wasinfer_http_requests_in_flight 1\n" in text, "in-flight back to 1 (this request)")
        check('route="/v1/classify",status="499"' in text, "vanished clients counted as 499")
        status, body, _ = svc.classify(dog_bytes)
        check(status == 200 and top1(body) == 208, f"after vanished clients: {status}")
        status, body, _ = svc.request("GET", "/readyz")
        check(status == 200, f"/readyz {status}")

        # SIGTERM under load: everything in flight is answered, then exit 0.
        answers = []
        def loaded():
            try:
                status, body, _ = svc.classify(dog_bytes)
                answers.append(status == 200 and top1(body) == 208)
            except Exception:
                answers.append(False)
        load = [threading.Thread(target=loaded) for _ in range(6)]
        for t in load:
            t.start()
        deadline = time.time() + 60
        while time.time() < deadline:  # until all six are received by the service
            status, body, _ = svc.request("GET", "/metrics")
            line = [l for l in body.decode().splitlines() if l.startswith("wasinfer_http_requests_in_flight ")]
            if line and int(line[0].split()[1]) >= 7:
                break
            time.sleep(0.01)
        code = svc.stop()
        for t in load:
            t.join()
        check(answers == [True] * 6, f"requests in flight at SIGTERM: {answers}")
        check(code == 0, f"exit code after SIGTERM: {code}\n{''.join(svc.log[-20:])}")
        check(any(" POST /v1/classify 200 " in l for l in svc.log), "access log lines on stderr")
    finally:
        if svc.proc.poll() is None:
            svc.proc.kill()

    # A second service: one worker, one queue slot, no private URLs.
    small = tiny_png(64, 64)
    svc = Service(binary, data, "--threads", "1", "--queue", "1", "--max-pixels", "100000")
    try:
        status, body, _ = svc.request("POST", "/", f"{base}/golden-retriever.jpeg".encode(), {"Content-Type": "text/plain"})
        check(status == 403 and b"loopback" in body, f"loopback URL without --allow-private-urls: {status} {body!r}")
        status, body, _ = svc.classify(images["images/grace_hopper.jpg"])
        check(status in (413, 422) and b"pixel" in body, f"image over --max-pixels: {status} {body!r}")
        burst = []
        def one():
            status, body, headers = svc.classify(small, content_type="image/png")
            burst.append((status, headers.get("Retry-After")))
        threads = [threading.Thread(target=one) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        codes = sorted(s for s, _ in burst)
        check(all(s in (200, 503) for s in codes) and 503 in codes and 200 in codes, f"burst on a full queue: {codes}")
        check(all(ra == "1" for s, ra in burst if s == 503), f"503s carry Retry-After: 1: {burst}")
        code = svc.stop()
        check(code == 0, f"second service exit code {code}")
    finally:
        if svc.proc.poll() is None:
            svc.proc.kill()
    files.shutdown()

    print(f"{'FAILED' if failures else 'passed'}: {len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
