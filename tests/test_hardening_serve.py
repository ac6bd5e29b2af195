"""kg serve against a real process on 127.0.0.1: it follows builds, fetches no URL a query
names, keeps other web pages out, and a bad or endless request costs it nothing."""

import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from conftest import ROOT, SEED, run_kg

pytestmark = pytest.mark.slow  # runs kg in subprocesses: CI runs it, `-m 'not slow'` skips it

PAGE = "本报讯（记者 张明）星禾科技有限公司落户南屿经济技术开发区。公司总经理周岚介绍，新工厂年底投产。"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
ENDLESS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }"


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Served:
    def __init__(self, out: Path, *flags):
        self.port = _port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "kg", "serve", str(out), "--port", str(self.port), *map(str, flags)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                assert self.proc.poll() is None, self.proc.stderr.read().decode()
                time.sleep(0.1)
        raise AssertionError("kg serve did not start")

    def get(self, query: str, headers: dict | None = None, timeout: float = 60):
        req = urllib.request.Request(
            f"{self.url}/sparql?" + urllib.parse.urlencode({"query": query}),
            headers={"Accept": "application/sparql-results+json", **(headers or {})},
        )
        return urllib.request.urlopen(req, timeout=timeout)

    def count(self) -> int:
        with self.get(COUNT) as resp:
            return int(json.loads(resp.read())["results"]["bindings"][0]["n"]["value"])

    def raw(self, data: bytes, timeout: float = 10) -> bytes:
        with socket.create_connection(("127.0.0.1", self.port), timeout=timeout) as s:
            s.sendall(data)
            chunks = []
            try:
                while True:
                    c = s.recv(65536)
                    if not c:
                        break
                    chunks.append(c)
                    if b"\r\n\r\n" in b"".join(chunks) and b"Connection: close" not in b"".join(chunks):
                        head, _, rest = b"".join(chunks).partition(b"\r\n\r\n")
                        n = [
                            int(l.split(b":")[1])
                            for l in head.split(b"\r\n")
                            if l.lower().startswith(b"content-length")
                        ]
                        if n and len(rest) >= n[0]:
                            break
            except socket.timeout:
                pass
            return b"".join(chunks)

    def tree(self) -> list[int]:
        """The server and its query workers (and the forkserver)."""
        pids, todo = [], [self.proc.pid]
        while todo:
            pid = todo.pop()
            pids.append(pid)
            try:
                kids = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
            except OSError:
                kids = []
            todo += [int(k) for k in kids]
        return pids

    def rss_mb(self) -> float:
        total = 0.0
        for pid in self.tree():
            try:
                total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6
            except OSError:
                pass
        return total

    def deleted_handles(self, under: Path) -> list[str]:
        found = []
        for pid in self.tree():
            try:
                fds = os.listdir(f"/proc/{pid}/fd")
            except OSError:
                continue
            for fd in fds:
                try:
                    target = os.readlink(f"/proc/{pid}/fd/{fd}")
                except OSError:
                    continue
                if target.startswith(str(under)) and target.endswith("(deleted)"):
                    found.append(target)
        return found

    def stop(self) -> str:
        self.proc.terminate()
        try:
            _, err = self.proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            _, err = self.proc.communicate()
        return err.decode("utf-8", "replace")


@pytest.fixture
def seed_out(tmp_path):
    out = tmp_path / "out"
    run_kg("build", SEED, "-o", out, "-q", check=True)
    return out


@pytest.fixture
def served(seed_out):
    s = Served(seed_out, "--timeout", "3", "--workers", "1", "--idle", "2")
    yield s
    assert "Traceback" not in s.stop()


def test_the_server_follows_builds_into_its_folder_and_holds_no_removed_store(tmp_path, seed_out):
    srv = Served(seed_out, "--workers", "2")
    try:
        src = tmp_path / "src"
        src.mkdir()
        (src / "seed.txt").write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
        counts = [srv.count()]
        for i in range(3):
            (src / f"p{i}.txt").write_text(PAGE.replace("星禾", f"星禾{i}"), encoding="utf-8")
            run_kg("build", src, "-o", seed_out, "-q", check=True)
            counts.append(srv.count())
            expected = run_kg("query", COUNT, "-g", seed_out, "--format", "csv", check=True).stdout.split()[-1]
            assert counts[-1] == int(expected)
        assert counts == sorted(counts) and len(set(counts)) == 4, counts
        assert srv.deleted_handles(seed_out) == []
        assert len(list((seed_out / "stores").iterdir())) <= 3  # the current one and one per worker at most
        assert srv.rss_mb() < 1500
    finally:
        assert "Traceback" not in srv.stop()


class _Listener:
    """A TCP port that records whether anybody connected."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(5)
        self.sock.settimeout(0.2)
        self.hits = 0
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/sparql"
        self.running = True
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while self.running:
            try:
                c, _ = self.sock.accept()
                self.hits += 1
                c.close()
            except (socket.timeout, OSError):
                pass

    def close(self):
        self.running = False
        self.sock.close()


def test_service_fetches_nothing_unless_allowed(served, seed_out):
    ear = _Listener()
    try:
        query = f"SELECT * WHERE {{ SERVICE <{ear.url}> {{ ?s ?p ?o }} }}"
        with pytest.raises(urllib.error.HTTPError) as err:
            served.get(query)
        assert err.value.code == 400 and b"SERVICE" in err.value.read()
        proc = run_kg("query", query, "-g", seed_out)
        assert proc.returncode == 1 and "--allow-service" in proc.stderr and len(proc.stderr.splitlines()) == 1
        hidden = f"select * where {{ ?x ?y ?z # a comment\n service  <{ear.url}> {{ ?s ?p ?o }} }}"
        assert run_kg("query", hidden, "-g", seed_out).returncode == 1
        time.sleep(0.5)
        assert ear.hits == 0
        run_kg("query", query, "-g", seed_out, "--allow-service")
        time.sleep(0.5)
        assert ear.hits >= 1  # the flag really turns federation on
    finally:
        ear.close()


def test_no_cors_header_and_only_local_host_names_by_default(served, seed_out):
    with served.get(COUNT, {"Origin": "http://evil.example"}) as resp:
        assert resp.headers.get("Access-Control-Allow-Origin") is None
    for host, ok in [
        ("evil.example", False),
        (f"evil.example:{served.port}", False),
        (f"localhost:{served.port}", True),
        (f"127.0.0.1:{served.port}", True),
    ]:
        reply = served.raw(
            f"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode()
        )
        assert reply.startswith(b"HTTP/1.1 200" if ok else b"HTTP/1.1 421"), (host, reply[:80])
    other = Served(seed_out, "--cors", "https://notebook.example", "--allow-host", "kg.lan")
    try:
        with other.get(COUNT, {"Origin": "https://notebook.example"}) as resp:
            assert resp.headers["Access-Control-Allow-Origin"] == "https://notebook.example"
        reply = other.raw(b"OPTIONS /sparql HTTP/1.1\r\nHost: kg.lan\r\nConnection: close\r\n\r\n")
        assert reply.startswith(b"HTTP/1.1 204") and b"Access-Control-Allow-Methods" in reply
    finally:
        other.stop()


def test_an_endless_query_is_stopped_and_the_server_answers_again(served):
    t0 = time.time()
    with pytest.raises(urllib.error.HTTPError) as err:
        served.get(ENDLESS)
    assert err.value.code == 503 and b"longer than 3 s" in err.value.read()
    assert time.time() - t0 < 15
    t0 = time.time()
    assert served.count() > 1000 and time.time() - t0 < 5


def test_a_client_that_hangs_up_frees_the_worker(served):
    for _ in range(2):  # the one worker would stay busy for 3 s each time if nobody noticed
        s = socket.create_connection(("127.0.0.1", served.port))
        s.sendall(
            f"GET /sparql?{urllib.parse.urlencode({'query': ENDLESS})} HTTP/1.1\r\nHost: localhost\r\n\r\n".encode()
        )
        time.sleep(0.4)
        s.close()
    time.sleep(0.3)
    t0 = time.time()
    assert served.count() > 1000
    assert time.time() - t0 < 1.5


def test_answers_are_capped(seed_out):
    srv = Served(seed_out, "--max-rows", "5")
    try:
        with srv.get("SELECT * WHERE { ?s ?p ?o }") as resp:
            rows = json.loads(resp.read())["results"]["bindings"]
            assert len(rows) == 5 and "5" in resp.headers["KG-Truncated"]
        with srv.get("SELECT * WHERE { ?s ?p ?o } LIMIT 3") as resp:
            assert len(json.loads(resp.read())["results"]["bindings"]) == 3 and "KG-Truncated" not in resp.headers
    finally:
        srv.stop()


def test_idle_and_excess_connections_are_closed(served):
    idle = [socket.create_connection(("127.0.0.1", served.port)) for _ in range(80)]
    try:
        time.sleep(0.5)
        threads = int(
            [l for l in Path(f"/proc/{served.proc.pid}/status").read_text().splitlines() if l.startswith("Threads:")][
                0
            ].split()[1]
        )
        assert threads < 75  # 64 connections at most, and a few of its own
        refused = 0
        for s in idle:
            s.settimeout(0.2)
            try:
                refused += s.recv(100).startswith(b"HTTP/1.1 503")
            except socket.timeout:
                pass
        assert refused >= 10
        closed = 0
        for s in idle:  # --idle 2: the server closes the others itself
            s.settimeout(4)
            try:
                closed += s.recv(100) in (b"", b"HTTP/1.1 503 Service Unavailable")
            except ConnectionResetError:
                closed += 1
            except socket.timeout:
                pass
        assert closed == len(idle)
    finally:
        for s in idle:
            s.close()
    assert served.count() > 1000


@pytest.mark.parametrize(
    "request_bytes, status",
    [
        (b"POST /sparql HTTP/1.1\r\nHost: localhost\r\nContent-Length: abc\r\n\r\n", b"400"),
        (b"POST /sparql HTTP/1.1\r\nHost: localhost\r\nContent-Length: -5\r\n\r\n", b"400"),
        (b"POST /sparql HTTP/1.1\r\nHost: localhost\r\nContent-Length: 99999999999\r\n\r\n", b"413"),
        (
            b"POST /sparql HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/sparql-query\r\n"
            b"Content-Length: 4\r\n\r\n\xff\xfe\xfd\xfc",
            b"400",
        ),
        (b"GET /sparql?query=%ff%fe HTTP/1.1\r\nHost: localhost\r\n\r\n", b"400"),
        (
            b"POST /sparql HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/sparql-update\r\n"
            b"Content-Length: 23\r\n\r\nDELETE WHERE {?s ?p ?o}",
            b"403",
        ),
    ],
)
def test_bad_requests_get_a_status_not_a_dropped_connection(served, request_bytes, status):
    reply = served.raw(request_bytes)
    assert reply.split(b" ")[1] == status, reply[:120]
    assert served.count() > 1000
