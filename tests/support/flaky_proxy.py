"""A TCP proxy for HTTP/1.1 (one request per connection, as the agent sends them) that drops,
delays, duplicates and resets, at seeded random: the link between a station and the portal as
the field reports describe it."""

from __future__ import annotations

import random
import socket
import struct
import threading
from collections import Counter

FAULTS = ("pass", "drop", "delay", "duplicate", "reset_before", "reset_after")


def _read_request(conn: socket.socket) -> bytes | None:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        body += chunk
    return head + b"\r\n\r\n" + body


def _forward(request: bytes, port: int) -> bytes | None:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=30) as upstream:
            upstream.sendall(request)
            answer = b""
            while chunk := upstream.recv(65536):
                answer += chunk
            return answer
    except OSError:
        return None


def _reset(conn: socket.socket) -> None:
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.close()


class FlakyProxy:
    def __init__(self, upstream_port: int, seed: int, weights: dict | None = None):
        self.upstream_port = upstream_port
        self.rng = random.Random(seed)
        self.rng_lock = threading.Lock()
        self.weights = weights or {"pass": 80, "drop": 4, "delay": 4, "duplicate": 4,
                                   "reset_before": 4, "reset_after": 4}
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(256)
        self.port = self.listener.getsockname()[1]
        self.counts: Counter = Counter()
        self.healthy = threading.Event()  # set: every request passes (the link is back)
        self.down = threading.Event()  # set: every connection is reset (the link is down)
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True)

    def start(self) -> FlakyProxy:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.stopped.set()
        self.listener.close()

    def _pick(self) -> tuple[str, float]:
        if self.down.is_set():
            return "reset_before", 0.0
        if self.healthy.is_set():
            return "pass", 0.0
        with self.rng_lock:
            fault = self.rng.choices(list(self.weights), list(self.weights.values()))[0]
            return fault, self.rng.uniform(0.05, 0.4)

    def _accept(self) -> None:
        while not self.stopped.is_set():
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        try:
            request = _read_request(conn)
            if request is None:
                conn.close()
                return
            fault, delay = self._pick()
            self.counts[fault] += 1
            if fault == "drop":  # the request never arrives
                conn.close()
                return
            if fault == "reset_before":
                _reset(conn)
                return
            if fault == "delay":
                threading.Event().wait(delay)  # the fault itself: a slow link
            if fault == "duplicate":  # the same request delivered twice, at once
                twin = threading.Thread(target=_forward, args=(request, self.upstream_port))
                twin.start()
            answer = _forward(request, self.upstream_port)
            if fault == "reset_after" or answer is None:  # it arrived; the answer is lost
                _reset(conn)
                return
            conn.sendall(answer)
            conn.close()
        except OSError:
            conn.close()
