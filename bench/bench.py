#!/usr/bin/env python3
"""Helpers of bench/run: choosing the URL mixes, capturing portreg's answers
as nginx's document root, checking nginx against portreg, timing start-up,
reload and never-asked searches, reading wrk's and h2load's results, and the
final report.  Each subcommand does one step; bench/run calls them in order
and stops at the first that exits non-zero.  Standard library only."""

import argparse
import collections
import datetime
import http.client
import json
import os
import platform
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse

ENDPOINTS = ["port", "service", "contact", "revalidate", "search", "list", "gzip", "check"]
LOOKUPS = ["port", "service", "contact", "revalidate"]  # held to >= 1.2x nginx
TARGET_RATIO = 1.2
TARGET_P99_MS = 5.0
TARGET_STARTUP_MS = 100.0
TARGET_RSS_MIB = 32.0
TARGET_COLD_SEARCH_MS = 2.0
# gzip (issue 18): the list pages asked with Accept-Encoding: gzip, against
# the same pages as they are ("list").
TARGET_GZIP_CPU_RATIO = 1.10  # CPU per answer, gzip over identity
TARGET_GZIP_SHRINK = 4.0  # bytes on the wire, identity over gzip
# The built-in registry, the default of every command (issue 14).
TARGET_BUILTIN_STARTUP_MS = 50.0
TARGET_BUILTIN_RSS_MIB = 32.0

RECORDS_CSV = "service-names-port-numbers.csv"
CONTACTS_CSV = "contacts.csv"
SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
SAFE_ID = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")


def die(msg):
    print(f"bench: {msg}", file=sys.stderr)
    sys.exit(1)


def every_nth(items, count, offset=0):
    """count items spread evenly over the list, the first at `offset`."""
    if not items:
        return []
    step = max(1, len(items) // count)
    return items[offset % step::step][:count]


def read_csv(path):
    import csv
    with open(path, newline="", encoding="utf-8-sig") as f:
        return list(csv.DictReader(f))


def median(xs):
    return statistics.median(xs) if xs else None


# ---------------------------------------------------------------- HTTP


class Client:
    """One kept-alive HTTP/1.1 connection, reopened when the server closes it."""

    def __init__(self, base):
        u = urllib.parse.urlsplit(base)
        self.host, self.port = u.hostname, u.port
        self.conn = None

    def request(self, method, path, headers=None):
        for attempt in (0, 1):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=10)
            try:
                self.conn.request(method, path, headers=headers or {})
                r = self.conn.getresponse()
                body = r.read()
                if r.will_close:
                    self.conn.close()
                    self.conn = None
                return r.status, {k.lower(): v for k, v in r.getheaders()}, body
            except (http.client.HTTPException, ConnectionError, OSError):
                if self.conn:
                    self.conn.close()
                self.conn = None
                if attempt:
                    raise

    def get(self, path, headers=None):
        return self.request("GET", path, headers)


def wait_ready(port, proc=None, timeout=30.0, path="/readyz"):
    """Seconds until GET path on 127.0.0.1:port first answers 200."""
    t0 = time.perf_counter()
    req = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode()
    while True:
        if proc is not None and proc.poll() is not None:
            die(f"the server exited ({proc.returncode}) before it was ready")
        if time.perf_counter() - t0 > timeout:
            die(f"nothing answered on port {port} within {timeout:.0f} s")
        try:
            s = socket.create_connection(("127.0.0.1", port), timeout=5)
        except OSError:
            time.sleep(0.0005)
            continue
        try:
            s.sendall(req)
            head = b""
            while b"\r\n" not in head:
                chunk = s.recv(4096)
                if not chunk:
                    break
                head += chunk
        except OSError:
            head = b""
        finally:
            s.close()
        if head.startswith(b"HTTP/1.1 200") or head.startswith(b"HTTP/1.0 200"):
            return time.perf_counter() - t0
        time.sleep(0.0005)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def metric(port, name):
    status, _, body = Client(f"http://127.0.0.1:{port}").get("/metrics")
    if status != 200:
        return None
    for line in body.decode().splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    return None


def latency_metrics(port):
    """The server's request-duration histogram: {"sum": s, "count": n,
    "buckets": [[le, cumulative], ...]}."""
    status, _, body = Client(f"http://127.0.0.1:{port}").get("/metrics")
    if status != 200:
        die(f"/metrics answered {status}")
    out = {"sum": 0.0, "count": 0, "buckets": []}
    name = "portreg_http_request_duration_seconds"
    for line in body.decode().splitlines():
        if line.startswith(name + "_sum "):
            out["sum"] = float(line.split()[1])
        elif line.startswith(name + "_count "):
            out["count"] = int(float(line.split()[1]))
        elif line.startswith(name + "_bucket{"):
            le = re.search(r'le="([^"]+)"', line).group(1)
            out["buckets"].append([float(le), int(float(line.split()[1]))])
    return out


def server_time(before, after):
    """Mean and 99th percentile (a bucket's upper bound) of the time the
    server took per request between two latency_metrics() snapshots."""
    n = after["count"] - before["count"]
    if n <= 0:
        return None
    b0 = dict((le, c) for le, c in before["buckets"])
    p99 = None
    for le, c in after["buckets"]:
        if c - b0.get(le, 0) >= 0.99 * n:
            p99 = le
            break
    return {"requests": n, "mean_us": (after["sum"] - before["sum"]) / n * 1e6,
            "p99_le_ms": p99 * 1e3 if p99 is not None and p99 != float("inf") else None}


def cpu_seconds(pid):
    """User and system CPU time of a process (all its threads) and of its
    child processes that are running (nginx's workers)."""
    tick = os.sysconf("SC_CLK_TCK")

    def stat(p):
        with open(f"/proc/{p}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return int(fields[1]), (int(fields[11]) + int(fields[12])) / tick  # ppid, utime+stime

    total = stat(pid)[1]
    for entry in os.listdir("/proc"):
        if entry.isdigit() and int(entry) != pid:
            try:
                ppid, cpu = stat(entry)
            except (OSError, IndexError, ValueError):
                continue
            if ppid == pid:
                total += cpu
    return total


def proc_status(pid):
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("VmHWM", "VmRSS"):
                out[k] = int(v.split()[0])  # KiB
    return out


# ---------------------------------------------------------------- the mixes


def choose_urls(data, server, per):
    """The URL mix of every endpoint, chosen deterministically from the data
    (every Nth key); list pages also ask the server how many items match."""
    records = read_csv(os.path.join(data, RECORDS_CSV))
    contacts = read_csv(os.path.join(data, CONTACTS_CSV))
    mixes = {}

    ports, seen = [], set()
    for r in records:
        p = r["Port Number"].strip()
        if p.isdigit() and p not in seen:
            seen.add(p)
            ports.append(p)
    mixes["port"] = [f"/v1/ports/{p}" for p in every_nth(ports, per)]

    names, seen = [], set()
    for r in records:
        n = r["Service Name"].strip()
        if n and SAFE_NAME.match(n) and n.lower() not in seen:
            seen.add(n.lower())
            names.append(n)
    mixes["service"] = [f"/v1/services/{n}" for n in every_nth(names, per)]

    ids = [c["ID"].strip().strip("[]") for c in contacts]
    ids = [i for i in ids if SAFE_ID.match(i)]
    mixes["contact"] = [f"/v1/contacts/{i}" for i in every_nth(ids, per)]

    # Search terms: the distinct words of the descriptions, in order of first
    # appearance; the mix takes every Nth, the never-asked terms come from
    # between them.
    words, seen = [], set()
    for r in records:
        for w in re.findall(r"[a-z]{4,}", r["Description"].lower()):
            if w not in seen:
                seen.add(w)
                words.append(w)
    asked = every_nth(words, per)
    mixes["search"] = [f"/v1/search?q={w}" for w in asked]
    asked_set = set(asked)
    cold = [w for w in every_nth(words, per, offset=len(words) // per // 2) if w not in asked_set]

    # List pages: filtered by protocol and status, 25 a page, at offsets
    # spread over each filter's matches.
    c = Client(server)
    pages = []
    for proto in ("tcp", "udp", "sctp", "dccp"):
        for status in ("", "assigned", "unassigned", "reserved"):
            q = f"protocol={proto}" + (f"&status={status}" if status else "")
            st, _, body = c.get(f"/v1/services?{q}&limit=1")
            if st != 200:
                die(f"/v1/services?{q}&limit=1 answered {st}")
            total = json.loads(body)["total"]
            pages += [f"/v1/services?{q}&limit=25&offset={o}" for o in range(0, total, 25)]
    mixes["list"] = every_nth(pages, per)
    # The same pages, asked with Accept-Encoding: gzip (bench/run sends it).
    mixes["gzip"] = list(mixes["list"])

    # Checks: records with a port and a protocol; every other one asks for
    # the record's own name (usually sound), the rest for a new name on the
    # same port (a conflict when the port is taken, so suggestions are made).
    checkable = [r for r in records
                 if r["Port Number"].strip().split("-")[0].isdigit()
                 and r["Transport Protocol"].strip() in ("tcp", "udp", "sctp", "dccp")]
    checks = []
    for i, r in enumerate(every_nth(checkable, per)):
        port = r["Port Number"].strip().split("-")[0]
        proto = r["Transport Protocol"].strip()
        name = r["Service Name"].strip()
        if i % 2 or not (name and SAFE_NAME.match(name)):
            name = f"bench-{i}"
        checks.append(f"/v1/check?port={port}&protocol={proto}&name={name}")
    mixes["check"] = checks

    # Revalidations: a third of each lookup mix, sent with its ETag.
    mixes["revalidate"] = [u for k in ("port", "service", "contact") for u in mixes[k][::3]]
    return mixes, cold


def docroot_path(root, url):
    """Where nginx (see nginx.conf.in) looks for the file of `url`: the
    decoded path under the root, or for a query /_q/PATH/QUERY, the query as
    sent."""
    u = urllib.parse.urlsplit(url)
    path = urllib.parse.unquote(u.path)
    if u.query:
        path = f"/_q{path}/{u.query}"
    return root + path


def cmd_prepare(a):
    """Chooses the mixes, fetches every URL from portreg and writes the
    answers as files under WORK/docroot, dated as portreg dates them."""
    mixes, cold = choose_urls(a.data, a.server, a.per_endpoint)
    mixdir = os.path.join(a.work, "mix")
    root = os.path.join(a.work, "docroot")
    os.makedirs(mixdir, exist_ok=True)
    c = Client(a.server)
    etags = {}
    last_modified = None
    urls = sorted({u for us in mixes.values() for u in us})
    for url in urls:
        status, headers, body = c.get(url)
        if status != 200:
            die(f"portreg answered {status} to {url}")
        etags[url] = headers.get("etag")
        if not etags[url]:
            die(f"portreg gave no ETag for {url}")
        path = docroot_path(root, url)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(body)
        lm = headers.get("last-modified")
        if lm:
            last_modified = lm
            t = datetime.datetime.strptime(lm, "%a, %d %b %Y %H:%M:%S GMT")
            t = t.replace(tzinfo=datetime.timezone.utc).timestamp()
            os.utime(path, (t, t))
    # The gzip variants, beside the files for nginx's gzip_static: the bytes
    # portreg sends, so that both servers send the same ones.
    for url in mixes["gzip"]:
        status, headers, body = c.get(url, {"Accept-Encoding": "gzip"})
        if status != 200 or headers.get("content-encoding") != "gzip":
            die(f"portreg answered {status} without gzip to {url} with Accept-Encoding: gzip")
        path = docroot_path(root, url) + ".gz"
        with open(path, "wb") as f:
            f.write(body)
        st = os.stat(docroot_path(root, url))
        os.utime(path, (st.st_atime, st.st_mtime))
    for ep, us in mixes.items():
        with open(os.path.join(mixdir, f"{ep}.txt"), "w") as f:
            for u in us:
                f.write(u + "\n")
    with open(os.path.join(mixdir, "revalidate.portreg.txt"), "w") as f:
        for u in mixes["revalidate"]:
            f.write(f"{u}\t{etags[u]}\n")
    with open(os.path.join(a.work, "cold-terms.txt"), "w") as f:
        for w in cold[: a.cold_terms]:
            f.write(w + "\n")
    if len(cold) < a.cold_terms:
        die(f"only {len(cold)} never-asked search terms; wanted {a.cold_terms}")
    sizes = collections.Counter()
    for ep, us in mixes.items():
        gz = ".gz" if ep == "gzip" else ""
        sizes[ep] = sum(os.path.getsize(docroot_path(root, u) + gz) for u in us) // max(1, len(us))
    print("  mixes: " + ", ".join(f"{ep} {len(mixes[ep])} URLs (~{sizes[ep]} B)"
                                  for ep in ENDPOINTS))
    print(f"  captured {len(urls)} answers from portreg (Last-Modified {last_modified})")


def cmd_verify(a):
    """Checks that nginx serves every captured answer byte for byte, notes
    nginx's ETags for the revalidation mix (from HEAD requests), and checks
    that both servers answer those revalidations 304."""
    mixdir = os.path.join(a.work, "mix")
    root = os.path.join(a.work, "docroot")
    urls = set()
    for ep in ENDPOINTS:
        with open(os.path.join(mixdir, f"{ep}.txt")) as f:
            urls.update(line.rstrip("\n") for line in f if line.strip())
    ng = Client(a.nginx)
    pr = Client(a.portreg)
    bad = []
    for url in sorted(urls):
        status, _, body = ng.get(url)
        with open(docroot_path(root, url), "rb") as f:
            want = f.read()
        if status != 200 or body != want:
            bad.append(f"{url}: nginx answered {status} with {len(body)} bytes, portreg {len(want)}")
    with open(os.path.join(mixdir, "gzip.txt")) as f:
        for url in (line.rstrip("\n") for line in f if line.strip()):
            status, headers, body = ng.get(url, {"Accept-Encoding": "gzip"})
            with open(docroot_path(root, url) + ".gz", "rb") as g:
                want = g.read()
            if status != 200 or headers.get("content-encoding") != "gzip" or body != want:
                bad.append(f"{url} (gzip): nginx answered {status} with {len(body)} bytes, "
                           f"portreg {len(want)}")
    if bad:
        die("nginx does not serve what portreg does:\n  " + "\n  ".join(bad[:10]))
    # A sample fetched from portreg again: still the captured bytes.
    for url in sorted(urls)[:: max(1, len(urls) // 50)]:
        status, _, body = pr.get(url)
        with open(docroot_path(root, url), "rb") as f:
            if status != 200 or body != f.read():
                die(f"portreg's answer to {url} changed since it was captured")
    reval = []
    with open(os.path.join(mixdir, "revalidate.txt")) as f:
        for line in f:
            url = line.rstrip("\n")
            status, headers, _ = ng.request("HEAD", url)
            if status != 200 or not headers.get("etag"):
                die(f"nginx answered HEAD {url} with {status} and no ETag")
            reval.append((url, headers["etag"]))
    with open(os.path.join(mixdir, "revalidate.nginx.txt"), "w") as f:
        for url, tag in reval:
            f.write(f"{url}\t{tag}\n")
    for name, client, fname in (("nginx", ng, "revalidate.nginx.txt"),
                                ("portreg", pr, "revalidate.portreg.txt")):
        with open(os.path.join(mixdir, fname)) as f:
            pairs = [line.rstrip("\n").split("\t") for line in f]
        for url, tag in pairs[:: max(1, len(pairs) // 20)]:
            status, _, _ = client.get(url, {"If-None-Match": tag})
            if status != 304:
                die(f"{name} answered {status}, not 304, to {url} with If-None-Match: {tag}")
    # Full URIs for h2load (which takes the scheme, host and port from the
    # first line).
    for name, base in (("portreg", a.portreg), ("nginx", a.nginx)):
        for ep in ENDPOINTS:
            with open(os.path.join(mixdir, f"{ep}.txt")) as f, \
                    open(os.path.join(mixdir, f"{ep}.{name}.uris"), "w") as out:
                for line in f:
                    out.write(base + line)
    print(f"  nginx serves the same bytes as portreg for all {len(urls)} URLs; "
          "both answer the revalidations 304")


def cmd_probe304(a):
    """Prints the Content-Length a 304 from the server carries (0 if none).
    wrk's HTTP parser reads that many bytes of body after a 304, which
    never come, so with a non-zero one wrk cannot drive revalidations."""
    with open(os.path.join(a.work, "mix", f"revalidate.{a.name}.txt")) as f:
        url, tag = f.readline().rstrip("\n").split("\t")
    u = urllib.parse.urlsplit(a.server)
    s = socket.create_connection((u.hostname, u.port), timeout=5)
    s.sendall(f"GET {url} HTTP/1.1\r\nHost: {u.hostname}\r\nIf-None-Match: {tag}\r\n\r\n".encode())
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = s.recv(4096)
        if not chunk:
            break
        head += chunk
    s.close()
    lines = head.split(b"\r\n\r\n")[0].decode("latin-1").split("\r\n")
    if not lines[0].startswith("HTTP/1.1 304"):
        die(f"{a.name}: {url} with If-None-Match: {tag} answered {lines[0]!r}")
    length = 0
    for line in lines[1:]:
        k, _, v = line.partition(":")
        if k.strip().lower() == "content-length":
            length = int(v.strip())
    print(length)


# ---------------------------------------------------------------- timings


def cmd_startup(a):
    """Starts the server a.runs times: from exec to the first 200 of /readyz."""
    runs = []
    for i in range(a.runs):
        port = free_port()
        cmd = [a.binary, "serve", "--data", a.data, "--listen", f"127.0.0.1:{port}",
               "--access-log", "off"] + a.extra
        with open(os.path.join(a.work, "startup.log"), "ab") as log:
            t0 = time.perf_counter()
            p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=log)
            try:
                wait_ready(port, p)
                ready = time.perf_counter() - t0
                load = metric(port, "portreg_registry_load_seconds")
                rss = proc_status(p.pid)
            finally:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
        runs.append({"ready_ms": ready * 1e3,
                     "load_ms": load * 1e3 if load is not None else None,
                     "rss_kib": rss.get("VmRSS")})
        time.sleep(0.05)
    # What exec and dynamic linking alone cost: `portreg --version`.
    version = []
    for i in range(a.runs):
        t0 = time.perf_counter()
        subprocess.run([a.binary, "--version"], stdout=subprocess.DEVNULL, check=True)
        version.append((time.perf_counter() - t0) * 1e3)
    ready = [r["ready_ms"] for r in runs]
    loads = [r["load_ms"] for r in runs if r["load_ms"] is not None]
    out = {"runs": runs, "median_ms": median(ready), "max_ms": max(ready),
           "min_ms": min(ready), "load_median_ms": median(loads),
           "version_median_ms": median(version),
           "rss_at_ready_kib": median([r["rss_kib"] for r in runs])}
    with open(a.out, "w") as f:
        json.dump(out, f, indent=1)
    print(f"  start-up: median {out['median_ms']:.1f} ms, max {out['max_ms']:.1f} ms over "
          f"{a.runs} runs; of that, loading and indexing the data (the server's figure) "
          f"median {out['load_median_ms']:.1f} ms; `portreg --version` takes "
          f"{out['version_median_ms']:.1f} ms")


def cmd_builtin(a):
    """The built-in registry, with no --data: start-up from exec to the first
    200 of /readyz (a.runs times), then one server's peak RSS (VmHWM) after
    answering a few requests and a.reloads reloads (SIGHUP, each waited for
    in the log), and the binary's size."""
    runs = []
    log_path = os.path.join(a.work, "builtin.log")
    for i in range(a.runs):
        port = free_port()
        cmd = [a.binary, "serve", "--listen", f"127.0.0.1:{port}", "--access-log", "off"]
        with open(log_path, "ab") as log:
            t0 = time.perf_counter()
            p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=log)
            try:
                wait_ready(port, p)
                ready = time.perf_counter() - t0
                load = metric(port, "portreg_registry_load_seconds")
                records = metric(port, "portreg_registry_records")
            finally:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
        if records != 14533 and records is not None and records < 10000:
            die(f"the built-in registry has {records:.0f} records: is this the sample?")
        runs.append({"ready_ms": ready * 1e3, "load_ms": load * 1e3 if load is not None else None})
        time.sleep(0.05)

    port = free_port()
    with open(log_path, "ab") as log:
        log_at = log.tell()
        p = subprocess.Popen([a.binary, "serve", "--listen", f"127.0.0.1:{port}",
                              "--access-log", "off"],
                             stdin=subprocess.DEVNULL, stdout=log, stderr=log)
    try:
        wait_ready(port, p)
        c = Client(f"http://127.0.0.1:{port}")
        for path in ("/v1/ports/22", "/v1/services/http", "/v1/search?q=http",
                     "/v1/registry", "/v1/check?port=8080&protocol=tcp&name=web"):
            status, _, _ = c.get(path)
            if status != 200:
                die(f"built-in: {path} answered {status}")
        at_ready = proc_status(p.pid)
        for i in range(a.reloads):
            os.kill(p.pid, signal.SIGHUP)
            deadline = time.perf_counter() + 30
            while True:
                with open(log_path, "rb") as f:
                    f.seek(log_at)
                    if len(re.findall(rb"reloaded \d+ records", f.read())) > i:
                        break
                if time.perf_counter() > deadline:
                    die(f"built-in: reload {i + 1} was not logged within 30 s ({log_path})")
                time.sleep(0.005)
        time.sleep(0.2)
        after = proc_status(p.pid)
    finally:
        p.send_signal(signal.SIGTERM)
        try:
            p.wait(timeout=15)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
    ready = [r["ready_ms"] for r in runs]
    loads = [r["load_ms"] for r in runs if r["load_ms"] is not None]
    out = {"runs": runs, "median_ms": median(ready), "min_ms": min(ready), "max_ms": max(ready),
           "load_median_ms": median(loads),
           "rss_at_ready_kib": at_ready.get("VmRSS"),
           "peak_rss_kib": after.get("VmHWM"), "rss_after_reloads_kib": after.get("VmRSS"),
           "reloads": a.reloads,
           "binary_bytes": os.path.getsize(a.binary),
           "embedded_bytes": sum(os.path.getsize(os.path.join(a.snapshot, f))
                                 for f in os.listdir(a.snapshot) if not f.startswith("."))}
    with open(a.out, "w") as f:
        json.dump(out, f, indent=1)
    print(f"  start-up with the built-in registry: median {out['median_ms']:.1f} ms "
          f"(min {out['min_ms']:.1f}, max {out['max_ms']:.1f}) over {a.runs} runs, of which "
          f"loading and indexing median {out['load_median_ms']:.1f} ms")
    print(f"  peak RSS with {a.reloads} reloads: {out['peak_rss_kib'] / 1024:.1f} MiB "
          f"(at ready {out['rss_at_ready_kib'] / 1024:.1f} MiB)")
    print(f"  binary: {out['binary_bytes'] / 1e6:.2f} MB, of which the registry's files "
          f"{out['embedded_bytes'] / 1e6:.2f} MB")


def builtin_targets(b, target):
    target(f"built-in start-up < {TARGET_BUILTIN_STARTUP_MS:g} ms (median)", b["median_ms"],
           TARGET_BUILTIN_STARTUP_MS, b["median_ms"] < TARGET_BUILTIN_STARTUP_MS, "ms")
    peak = b["peak_rss_kib"] / 1024
    target(f"built-in peak RSS < {TARGET_BUILTIN_RSS_MIB:g} MiB with {b['reloads']} reloads",
           peak, TARGET_BUILTIN_RSS_MIB, peak < TARGET_BUILTIN_RSS_MIB, "MiB")


def cmd_builtin_report(a):
    """The report of `bench/run --builtin-only`: the built-in figures alone."""
    b = load_json(a.builtin)
    targets = []

    def target(name, value, limit, ok, unit):
        targets.append({"target": name, "value": value, "limit": limit, "unit": unit,
                        "pass": bool(ok)})
    builtin_targets(b, target)
    uname = os.uname()
    result = {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "machine": {"nproc": os.cpu_count(), "cpu": cpu_model(), "kernel": uname.release,
                    "arch": uname.machine, "loadavg": open("/proc/loadavg").read().split()[:3]},
        "builtin": b, "targets": targets, "all_targets_met": all(t["pass"] for t in targets)}
    with open(a.out, "w") as f:
        json.dump(result, f, indent=1)
        f.write("\n")
    for t in targets:
        print(f"  {'PASS' if t['pass'] else 'MISS'}  {t['target']}: {t['value']:.1f} {t['unit']}")


def cmd_reload(a):
    """Reloads the running server a.runs times.  Before each SIGHUP a new
    registry-updated date is written into its data directory, so that the
    moment the new data set is served shows in /v1/registry.  Also reads the
    load time the server logs."""
    c = Client(a.server)
    runs = []
    upd = os.path.join(a.data, "registry-updated")
    for i in range(a.runs):
        date = f"2001-01-{i + 1:02d}"
        tmp = upd + ".tmp"
        with open(tmp, "w") as f:
            f.write(date + "\n")
        os.replace(tmp, upd)
        log_at = os.path.getsize(a.log)
        t0 = time.perf_counter()
        os.kill(a.pid, signal.SIGHUP)
        while True:
            status, _, body = c.get("/v1/registry")
            if status == 200 and json.loads(body).get("updated") == date:
                break
            if time.perf_counter() - t0 > 30:
                die(f"the reload to {date} was not served within 30 s (see {a.log})")
            time.sleep(0.0005)
        served = (time.perf_counter() - t0) * 1e3
        logged = None
        deadline = time.perf_counter() + 5
        while logged is None and time.perf_counter() < deadline:
            with open(a.log, "rb") as f:
                f.seek(log_at)
                m = re.search(rb"reloaded \d+ records.* in ([0-9.]+) ms", f.read())
            if m:
                logged = float(m.group(1))
            else:
                time.sleep(0.01)
        time.sleep(0.2)
        rss = proc_status(a.pid)
        runs.append({"served_ms": served, "logged_ms": logged,
                     "hwm_kib": rss.get("VmHWM"), "rss_kib": rss.get("VmRSS")})
    if any(r["logged_ms"] is None for r in runs):
        print("  (the server's log has no \"reloaded ... in X ms\" line for some reloads)")
    port = urllib.parse.urlsplit(a.server).port
    counted = metric(port, "portreg_reloads_total")
    failed = metric(port, "portreg_reload_failures_total")
    if failed:
        die(f"/metrics counts {failed:.0f} failed reloads (see {a.log})")
    served = [r["served_ms"] for r in runs]
    logged = [r["logged_ms"] for r in runs if r["logged_ms"] is not None]
    out = {"runs": runs, "reloads_total_metric": counted,
           "median_ms": median(served), "max_ms": max(served),
           "logged_median_ms": median(logged), "logged_max_ms": max(logged) if logged else None}
    with open(a.out, "w") as f:
        json.dump(out, f, indent=1)
    print(f"  reload: new data served after median {out['median_ms']:.1f} ms, max "
          f"{out['max_ms']:.1f} ms; the server logs a load of median "
          f"{out['logged_median_ms'] or float('nan'):.1f} ms")


def timed_get(port, path):
    """GET path on a new connection: (status, ms to the first byte of the
    answer, ms to its last byte, body bytes), both from the moment the
    request is sent."""
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    req = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode()
    try:
        t0 = time.perf_counter()
        s.sendall(req)
        buf = s.recv(65536)
        first = time.perf_counter()
        while b"\r\n\r\n" not in buf:
            more = s.recv(65536)
            if not more:
                die(f"{path}: the connection closed within the header")
            buf += more
        head, _, body = buf.partition(b"\r\n\r\n")
        m = re.search(rb"(?im)^content-length:\s*(\d+)", head)
        if not m:
            die(f"{path}: no Content-Length in the answer")
        length = int(m.group(1))
        while len(body) < length:
            more = s.recv(65536)
            if not more:
                die(f"{path}: the connection closed within the body")
            body += more
        last = time.perf_counter()
    finally:
        s.close()
    status = int(head.split(None, 2)[1])
    return status, (first - t0) * 1e3, (last - t0) * 1e3, length


def cmd_cold(a):
    """Times searches for terms asked never before, each on a new connection
    (opened before the clock starts): from sending the request to the first
    and to the last byte of the answer."""
    with open(a.terms) as f:
        terms = [line.strip() for line in f if line.strip()]
    port = urllib.parse.urlsplit(a.server).port
    runs = []
    for term in terms:
        path = f"/v1/search?q={urllib.parse.quote(term)}"
        status, ttfb, total, size = timed_get(port, path)
        if status != 200:
            die(f"{path} answered {status}")
        runs.append({"term": term, "ttfb_ms": ttfb, "total_ms": total, "bytes": size})
        time.sleep(0.01)
    total = [r["total_ms"] for r in runs]
    res = {"runs": runs, "median_ms": median(total), "max_ms": max(total),
           "ttfb_median_ms": median([r["ttfb_ms"] for r in runs]),
           "bytes_median": median([r["bytes"] for r in runs])}
    with open(a.out, "w") as f:
        json.dump(res, f, indent=1)
    print(f"  never-asked search: median {res['median_ms']:.2f} ms, max {res['max_ms']:.2f} ms "
          f"to the whole answer over {len(runs)} terms")


# ---------------------------------------------------------------- load results


def cmd_h2load_result(a):
    """Turns h2load's output and request log into the JSON get.lua writes."""
    text = open(a.stdout).read()
    m = re.search(r"finished in ([0-9.]+)(ms|s),", text)
    req = re.search(r"requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, "
                    r"(\d+) failed, (\d+) errored, (\d+) timeout", text)
    codes = re.search(r"status codes: (\d+) 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx", text)
    traffic = re.search(r"traffic: .*?\((\d+)\) total", text)
    if not (m and req and codes):
        die(f"cannot read h2load's output {a.stdout}")
    duration = float(m.group(1)) * (1e3 if m.group(2) == "ms" else 1e6)
    lat = []
    with open(a.log) as f:
        for line in f:
            parts = line.split()
            if len(parts) == 3:
                lat.append(int(parts[2]))
    lat.sort()

    def pct(p):
        return lat[min(len(lat) - 1, int(len(lat) * p / 100))] if lat else 0

    done = int(req.group(3))
    want = {"2xx": 0, "3xx": 1}[a.expect]
    got = [int(x) for x in codes.groups()]
    res = {"requests": done, "duration_us": int(duration),
           "bytes": int(traffic.group(1)) if traffic else 0,
           "errors": {"connect": 0, "read": int(req.group(6)), "write": 0,
                      "timeout": int(req.group(7)), "status": got[2] + got[3]},
           "unexpected_status": done - got[want],
           "latency_us": {"mean": statistics.fmean(lat) if lat else 0,
                          "stdev": statistics.pstdev(lat) if lat else 0,
                          "p50": pct(50), "p90": pct(90), "p99": pct(99), "p999": pct(99.9),
                          "max": lat[-1] if lat else 0}}
    with open(a.out, "w") as f:
        json.dump(res, f)


def summarize_run(r):
    secs = r["duration_us"] / 1e6
    return {"rps": r["requests"] / secs if secs else 0.0,
            "p50_ms": r["latency_us"]["p50"] / 1e3,
            "p99_ms": r["latency_us"]["p99"] / 1e3,
            "max_ms": r["latency_us"]["max"] / 1e3,
            "requests": r["requests"], "seconds": secs,
            "bytes_per_answer": r["bytes"] / r["requests"] if r["requests"] else 0}


def cmd_check_run(a):
    """Fails (exit 1) when a load run had errors, unexpected statuses or no
    answers; else prints its one-line summary."""
    with open(a.result) as f:
        r = json.load(f)
    errs = {k: v for k, v in r["errors"].items() if v}
    problems = []
    if errs:
        problems.append("errors " + ", ".join(f"{k} {v}" for k, v in errs.items()))
    if r.get("unexpected_status"):
        problems.append(f"{r['unexpected_status']} answers with a status other than {a.expect}")
    if r["requests"] == 0:
        problems.append("no request completed")
    s = summarize_run(r)
    line = (f"{a.label}: {s['rps']:10,.0f} req/s  p50 {s['p50_ms']:6.2f} ms  "
            f"p99 {s['p99_ms']:6.2f} ms  ({s['requests']:,} answers, "
            f"{s['bytes_per_answer']:,.0f} B each on the wire)")
    print("  " + line)
    if problems:
        die(f"{a.label}: " + "; ".join(problems) + f" (see {a.result} and its .txt)")


# ---------------------------------------------------------------- report


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def load_json(path):
    with open(path) as f:
        return json.load(f)


def fmt_us(us):
    if us is None:
        return ""
    return f"{us:.1f}" if us < 10 else f"{us:,.0f}"


def cmd_report(a):
    w = a.work
    settings = load_json(os.path.join(w, "settings.json"))
    rounds = settings["rounds"]
    load = []
    for ep in settings["endpoints"]:
        row = {"endpoint": ep, "driver": settings["drivers"].get(ep, "wrk")}
        with open(os.path.join(w, "mix", f"{ep}.txt")) as f:
            row["urls"] = sum(1 for line in f if line.strip())
        row["example"] = open(os.path.join(w, "mix", f"{ep}.txt")).readline().strip()
        for server in ("portreg", "nginx"):
            runs = []
            for i in range(rounds):
                base = os.path.join(w, "load", f"{ep}.{server}.{i}")
                r = summarize_run(load_json(base + ".json"))
                if os.path.exists(base + ".cpu.after"):
                    used = (load_json(base + ".cpu.after")["cpu_s"]
                            - load_json(base + ".cpu.before")["cpu_s"])
                    r["cpu_us_per_request"] = used / r["requests"] * 1e6 if r["requests"] else None
                    r["cpu_cores"] = used / r["seconds"] if r["seconds"] else None
                runs.append(r)
            row[server] = {"rps": median([r["rps"] for r in runs]),
                           "p50_ms": median([r["p50_ms"] for r in runs]),
                           "p99_ms": median([r["p99_ms"] for r in runs]),
                           "max_ms": max(r["max_ms"] for r in runs),
                           "bytes_per_answer": runs[0]["bytes_per_answer"],
                           "cpu_us_per_request": median([r["cpu_us_per_request"] for r in runs
                                                         if r.get("cpu_us_per_request")]),
                           "cpu_cores": median([r["cpu_cores"] for r in runs
                                                if r.get("cpu_cores")]),
                           "rounds": runs}
        st = []
        for i in range(rounds):
            b = os.path.join(w, "load", f"{ep}.portreg.{i}.metrics")
            if os.path.exists(b + ".before") and os.path.exists(b + ".after"):
                t = server_time(load_json(b + ".before"), load_json(b + ".after"))
                if t:
                    st.append(t)
        if st:
            row["portreg"]["server_mean_us"] = median([t["mean_us"] for t in st])
            p99s = [t["p99_le_ms"] for t in st if t["p99_le_ms"] is not None]
            row["portreg"]["server_p99_le_ms"] = max(p99s) if p99s else None
        row["ratio"] = row["portreg"]["rps"] / row["nginx"]["rps"] if row["nginx"]["rps"] else None
        load.append(row)
    startup = load_json(os.path.join(w, "startup.json"))
    reload_ = load_json(os.path.join(w, "reload.json"))
    cold = load_json(os.path.join(w, "cold.json"))
    rss = load_json(os.path.join(w, "rss.json"))
    peak_kib = rss["end"]["VmHWM"]

    targets = []

    def target(name, value, limit, ok, unit):
        targets.append({"target": name, "value": value, "limit": limit, "unit": unit,
                        "pass": bool(ok)})

    for row in load:
        if row["endpoint"] in LOOKUPS:
            target(f"{row['endpoint']}: req/s >= {TARGET_RATIO}x nginx", row["ratio"],
                   TARGET_RATIO, row["ratio"] is not None and row["ratio"] >= TARGET_RATIO, "x")
    for row in load:
        p99 = row["portreg"]["p99_ms"]
        target(f"{row['endpoint']}: p99 < {TARGET_P99_MS:g} ms at {settings['connections']} "
               "connections", p99, TARGET_P99_MS, p99 < TARGET_P99_MS, "ms")
    rows = {row["endpoint"]: row for row in load}
    gzip_figures = None
    if "gzip" in rows and "list" in rows:
        g, i = rows["gzip"], rows["list"]
        gzip_figures = {}
        for server in ("portreg", "nginx"):
            gc, ic = g[server]["cpu_us_per_request"], i[server]["cpu_us_per_request"]
            gzip_figures[server] = {
                "cpu_ratio": gc / ic if gc and ic else None,
                "shrink": (i[server]["bytes_per_answer"] / g[server]["bytes_per_answer"]
                           if g[server]["bytes_per_answer"] else None)}
        cr, sh = gzip_figures["portreg"]["cpu_ratio"], gzip_figures["portreg"]["shrink"]
        target(f"gzip: CPU per answer <= {TARGET_GZIP_CPU_RATIO:g}x identity's", cr,
               TARGET_GZIP_CPU_RATIO, cr is not None and cr <= TARGET_GZIP_CPU_RATIO, "x")
        target(f"gzip: list pages >= {TARGET_GZIP_SHRINK:g}x smaller on the wire", sh,
               TARGET_GZIP_SHRINK, sh is not None and sh >= TARGET_GZIP_SHRINK, "x")
    target(f"start-up < {TARGET_STARTUP_MS:g} ms (median)", startup["median_ms"],
           TARGET_STARTUP_MS, startup["median_ms"] < TARGET_STARTUP_MS, "ms")
    target(f"peak RSS < {TARGET_RSS_MIB:g} MiB", peak_kib / 1024, TARGET_RSS_MIB,
           peak_kib / 1024 < TARGET_RSS_MIB, "MiB")
    target(f"never-asked search < {TARGET_COLD_SEARCH_MS:g} ms (median)", cold["median_ms"],
           TARGET_COLD_SEARCH_MS, cold["median_ms"] < TARGET_COLD_SEARCH_MS, "ms")
    builtin = load_json(os.path.join(w, "builtin.json"))
    builtin_targets(builtin, target)

    uname = os.uname()
    result = {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "machine": {"nproc": os.cpu_count(), "cpu": cpu_model(), "kernel": uname.release,
                    "arch": uname.machine,
                    "loadavg_before": settings.get("loadavg_before"),
                    "loadavg_after": open("/proc/loadavg").read().split()[:3]},
        "versions": settings["versions"],
        "settings": {k: v for k, v in settings.items() if k not in ("versions", "loadavg_before")},
        "load": load,
        "startup": startup,
        "peak_rss": {"kib": peak_kib, "mib": peak_kib / 1024, "stages": rss},
        "reload": reload_,
        "cold_search": cold,
        "gzip": gzip_figures,
        "builtin": builtin,
        "targets": targets,
        "all_targets_met": all(t["pass"] for t in targets),
    }
    with open(a.out, "w") as f:
        json.dump(result, f, indent=1)
        f.write("\n")

    def verdict(ok):
        return "PASS" if ok else "MISS"

    print()
    print(f"{settings['versions']['portreg']} vs {settings['versions']['nginx']}, "
          f"{result['machine']['nproc']} x {result['machine']['cpu']}, "
          f"kernel {result['machine']['kernel']}, load average before "
          f"{' '.join(settings.get('loadavg_before') or [])}")
    print(f"{settings['wrk_threads']} client threads, {settings['connections']} connections, "
          f"{settings['duration']} s per run after {settings['warmup']} s of warm-up, "
          f"{rounds} round{'s' if rounds > 1 else ''} (median); latency in ms")
    print(f"portreg {' '.join(settings['portreg_args'])}; nginx with {settings['nginx_workers']} "
          "workers, access log off")
    print()
    hdr = (f"{'':<11} {'':>4} {'req/s':^27} {'portreg ms':^13} {'nginx ms':^13} "
           f"{'CPU us/answer':^15} {'handler':>7}")
    hdr2 = (f"{'endpoint':<11} {'URLs':>4} {'portreg':>9} {'nginx':>9} {'ratio':>7} "
            f"{'p50':>6} {'p99':>6} {'p50':>6} {'p99':>6} {'portreg':>7} {'nginx':>7} "
            f"{'us':>7}  targets")
    print(hdr)
    print(hdr2)
    print("-" * (len(hdr2) + 22))
    for row in load:
        p, n = row["portreg"], row["nginx"]
        marks = []
        if row["endpoint"] in LOOKUPS:
            marks.append(f"ratio {verdict(row['ratio'] >= TARGET_RATIO)}")
        marks.append(f"p99 {verdict(p['p99_ms'] < TARGET_P99_MS)}")
        name = row["endpoint"] + ("*" if row["driver"] != "wrk" else "")
        print(f"{name:<11} {row['urls']:>4} {p['rps']:>9,.0f} {n['rps']:>9,.0f} "
              f"{row['ratio']:>6.2f}x {p['p50_ms']:>6.2f} {p['p99_ms']:>6.2f} "
              f"{n['p50_ms']:>6.2f} {n['p99_ms']:>6.2f} {fmt_us(p.get('cpu_us_per_request')):>7} "
              f"{fmt_us(n.get('cpu_us_per_request')):>7} {fmt_us(p.get('server_mean_us')):>7}  "
              f"{', '.join(marks)}")
    print("CPU us/answer: CPU time the server process used (all threads; nginx: its workers) "
          "per answer;")
    print("handler us: portreg's mean time from a complete request to its queued answer "
          "(its /metrics)")
    if gzip_figures:
        for server in ("portreg", "nginx"):
            f = gzip_figures[server]
            print(f"gzip, {server}: list pages {rows['list'][server]['bytes_per_answer']:,.0f} B "
                  f"as they are, {rows['gzip'][server]['bytes_per_answer']:,.0f} B gzip-encoded "
                  f"on the wire ({f['shrink']:.2f}x smaller); CPU per answer "
                  f"{f['cpu_ratio']:.2f}x identity's")
    for row in load:
        if row["driver"] != "wrk":
            print(f"* {row['endpoint']}: driven by {row['driver']}, for both servers: wrk "
                  "cannot read 304s that carry Content-Length (see bench/README.md)")
    print()
    other = startup["median_ms"] - startup["load_median_ms"] - startup["version_median_ms"]
    print(f"start-up, exec to first 200   median {startup['median_ms']:7.1f} ms  max "
          f"{startup['max_ms']:7.1f} ms  {verdict(startup['median_ms'] < TARGET_STARTUP_MS)} "
          f"< {TARGET_STARTUP_MS:g} ms")
    print(f"  of which: loading and indexing the data {startup['load_median_ms']:.1f} ms "
          f"(server's figure), exec and dynamic linking {startup['version_median_ms']:.1f} ms "
          f"(portreg --version), the rest {other:.1f} ms")
    print(f"peak RSS (VmHWM), whole run   {peak_kib / 1024:7.1f} MiB  "
          f"{verdict(peak_kib / 1024 < TARGET_RSS_MIB)} < {TARGET_RSS_MIB:g} MiB")
    print(f"  after start {rss['start']['VmHWM'] / 1024:.1f}, after the load "
          f"{rss['load']['VmHWM'] / 1024:.1f}, after the first reload "
          f"{reload_['runs'][0]['hwm_kib'] / 1024:.1f}, after all {len(reload_['runs'])} "
          f"{peak_kib / 1024:.1f}; resident after each reload: "
          + " ".join(f"{r['rss_kib'] / 1024:.1f}" for r in reload_["runs"]) + " MiB")
    lm, lx = reload_.get("logged_median_ms"), reload_.get("logged_max_ms")
    print(f"reload, SIGHUP to new data    median {reload_['median_ms']:7.1f} ms  max "
          f"{reload_['max_ms']:7.1f} ms")
    if lm is not None:
        print(f"  logged by the server (\"reloaded ... in X ms\"): median {lm:.1f} ms, "
              f"max {lx:.1f} ms")
    print(f"never-asked search            median {cold['median_ms']:7.2f} ms  max "
          f"{cold['max_ms']:7.2f} ms  {verdict(cold['median_ms'] < TARGET_COLD_SEARCH_MS)} < "
          f"{TARGET_COLD_SEARCH_MS:g} ms")
    print(f"  {len(cold['runs'])} terms, each on a new connection, request sent to whole answer "
          f"(median {cold['bytes_median']:,.0f} B); to the first byte: median "
          f"{cold['ttfb_median_ms']:.2f} ms")
    print()
    missed = [t["target"] for t in targets if not t["pass"]]
    print(f"targets: {len(targets) - len(missed)} of {len(targets)} met"
          + (": missed " + "; ".join(missed) if missed else ""))
    print(f"results: {a.out}")


# ---------------------------------------------------------------- main


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    sub = ap.add_subparsers(dest="cmd", required=True)

    p = sub.add_parser("free-port")
    p.set_defaults(fn=lambda a: print(free_port()))

    p = sub.add_parser("wait-ready")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--path", default="/readyz")
    p.add_argument("--pid", type=int)
    p.set_defaults(fn=lambda a: wait_ready(a.port, path=a.path))

    p = sub.add_parser("prepare")
    p.add_argument("--data", required=True)
    p.add_argument("--server", required=True)
    p.add_argument("--work", required=True)
    p.add_argument("--per-endpoint", type=int, default=300)
    p.add_argument("--cold-terms", type=int, default=20)
    p.set_defaults(fn=cmd_prepare)

    p = sub.add_parser("verify")
    p.add_argument("--work", required=True)
    p.add_argument("--portreg", required=True)
    p.add_argument("--nginx", required=True)
    p.set_defaults(fn=cmd_verify)

    p = sub.add_parser("probe304")
    p.add_argument("--work", required=True)
    p.add_argument("--server", required=True)
    p.add_argument("--name", required=True)
    p.set_defaults(fn=cmd_probe304)

    p = sub.add_parser("startup")
    p.add_argument("--binary", required=True)
    p.add_argument("--data", required=True)
    p.add_argument("--work", required=True)
    p.add_argument("--runs", type=int, default=9)
    p.add_argument("--out", required=True)
    p.add_argument("extra", nargs="*")
    p.set_defaults(fn=cmd_startup)

    p = sub.add_parser("builtin")
    p.add_argument("--binary", required=True)
    p.add_argument("--snapshot", required=True)
    p.add_argument("--work", required=True)
    p.add_argument("--runs", type=int, default=9)
    p.add_argument("--reloads", type=int, default=5)
    p.add_argument("--out", required=True)
    p.set_defaults(fn=cmd_builtin)

    p = sub.add_parser("builtin-report")
    p.add_argument("--builtin", required=True)
    p.add_argument("--out", required=True)
    p.set_defaults(fn=cmd_builtin_report)

    p = sub.add_parser("reload")
    p.add_argument("--pid", type=int, required=True)
    p.add_argument("--server", required=True)
    p.add_argument("--data", required=True)
    p.add_argument("--log", required=True)
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--out", required=True)
    p.set_defaults(fn=cmd_reload)

    p = sub.add_parser("cold")
    p.add_argument("--server", required=True)
    p.add_argument("--terms", required=True)
    p.add_argument("--out", required=True)
    p.set_defaults(fn=cmd_cold)

    p = sub.add_parser("rss")
    p.add_argument("--pid", type=int, required=True)
    p.add_argument("--stage", required=True)
    p.add_argument("--out", required=True)

    def rss(a):
        data = load_json(a.out) if os.path.exists(a.out) else {}
        data[a.stage] = proc_status(a.pid)
        with open(a.out, "w") as f:
            json.dump(data, f)
    p.set_defaults(fn=rss)

    p = sub.add_parser("cpu")
    p.add_argument("--pid", type=int, required=True)
    p.add_argument("--out", required=True)

    def cpu(a):
        with open(a.out, "w") as f:
            json.dump({"cpu_s": cpu_seconds(a.pid)}, f)
    p.set_defaults(fn=cpu)

    p = sub.add_parser("metrics")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--out", required=True)

    def metrics(a):
        with open(a.out, "w") as f:
            json.dump(latency_metrics(a.port), f)
    p.set_defaults(fn=metrics)

    p = sub.add_parser("h2load-result")
    p.add_argument("--stdout", required=True)
    p.add_argument("--log", required=True)
    p.add_argument("--expect", choices=["2xx", "3xx"], required=True)
    p.add_argument("--out", required=True)
    p.set_defaults(fn=cmd_h2load_result)

    p = sub.add_parser("check-run")
    p.add_argument("--label", required=True)
    p.add_argument("--expect", default="200")
    p.add_argument("result")
    p.set_defaults(fn=cmd_check_run)

    p = sub.add_parser("settings")
    p.add_argument("--out", required=True)
    p.add_argument("--endpoints", nargs="+", required=True)
    p.add_argument("--drivers", nargs="*", default=[])
    p.add_argument("--portreg-args", default="")
    for k in ("duration", "warmup", "connections", "wrk-threads", "rounds", "urls",
              "startup-runs", "reloads", "cold-terms", "nginx-workers"):
        p.add_argument("--" + k, type=int, required=True)
    p.add_argument("--loadavg-before", default="")
    p.add_argument("--version", nargs="*", default=[])

    def settings(a):
        out = {k: v for k, v in vars(a).items() if k not in ("out", "fn", "cmd")}
        out["drivers"] = dict(d.split("=", 1) for d in a.drivers)
        out["portreg_args"] = a.portreg_args.split()
        out["loadavg_before"] = a.loadavg_before.split()
        out["versions"] = dict(v.split("=", 1) for v in a.version)
        del out["version"]
        with open(a.out, "w") as f:
            json.dump(out, f, indent=1)
    p.set_defaults(fn=settings)

    p = sub.add_parser("report")
    p.add_argument("--work", required=True)
    p.add_argument("--out", required=True)
    p.set_defaults(fn=cmd_report)

    a = ap.parse_args()
    a.fn(a)


if __name__ == "__main__":
    main()
