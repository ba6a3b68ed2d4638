#!/usr/bin/env python3
"""HTTP side of tests/scale/replicas: compares the replicas' answers and
drives load through HAProxy. Standard library only.

    replicas_client.py same --replica URL [--replica URL ...] [--lb URL]
                            [--save FILE] [--expect FILE]
    replicas_client.py load --lb URL --ref-a FILE --ref-b FILE --control DIR ...

Every network call has a timeout and only loopback addresses are accepted.
Exit status: 0 when every check holds, 1 when one does not, 2 on misuse.
"""

import argparse
import hashlib
import http.client
import json
import os
import sys
import threading
import time
import urllib.parse

# The URLs compared across replicas and requested under load. Between the
# two data sets of the test some of these answers change (the ups records,
# port 3038/udp, the registry's checksums and date) and some do not.
PATHS = [
    "/v1/ports/401",
    "/v1/ports/3038/udp",
    "/v1/services/ups",
    "/v1/services/nut",
    "/v1/search?q=ups",
    "/v1/services?limit=20&offset=0",
    "/v1/services?protocol=udp&limit=5&offset=10",
    "/v1/contacts/Charles_Bennett",
    "/v1/contacts/Network_UPS_Tools_Project",
    "/v1/assignees?sort=count&limit=10",
    "/v1/registry",
    "/openapi.yaml",
    "/v1/check?port=3038&protocol=udp&name=mysvc",
]

# HAProxy names the server that answered in this response header (set in
# the generated configuration), as portreg itself sends nothing that tells
# the replicas apart.
SERVED_BY = "X-Served-By"

TIMEOUT = 5.0


class CheckFailed(Exception):
    pass


def split_url(url):
    u = urllib.parse.urlsplit(url)
    if u.scheme != "http" or u.hostname not in ("127.0.0.1", "::1", "localhost"):
        raise SystemExit(f"replicas_client: {url}: only http:// on loopback is used")
    return u.hostname, u.port or 80


class Client:
    """One kept-alive connection; reconnects after an error."""

    def __init__(self, url, timeout=TIMEOUT):
        self.host, self.port = split_url(url)
        self.timeout = timeout
        self.conn = None
        self.opened = 0

    def get(self, path, headers=None):
        if self.conn is None:
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            self.opened += 1
        try:
            self.conn.request("GET", path, headers=headers or {})
            resp = self.conn.getresponse()
            body = resp.read()
        except BaseException:
            self.close()
            raise
        if resp.will_close:
            self.close()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, body

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def sha(body):
    return hashlib.sha256(body).hexdigest()


def metric(url, name):
    """The value of an unlabelled metric in a replica's /metrics."""
    c = Client(url)
    status, _, body = c.get("/metrics")
    c.close()
    if status != 200:
        raise CheckFailed(f"{url}/metrics answered {status}")
    for line in body.decode().splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    raise CheckFailed(f"{url}/metrics has no {name}")


# ---------------------------------------------------------------- same


def cmd_same(args):
    """Every replica directly, and HAProxy, give byte-identical bodies and the
    same ETag for each path; a conditional request with that ETag is 304
    whichever replica HAProxy picks."""
    replicas = args.replica
    expect = json.load(open(args.expect)) if args.expect else None
    direct = [Client(u) for u in replicas]
    lb = Client(args.lb) if args.lb else None
    rounds = 2
    lb_rounds = 2 * len(replicas)
    ref = {}
    served = {}
    problems = []

    for path in PATHS:
        seen = []  # (where, status, etag, body)
        for _ in range(rounds):
            for url, c in zip(replicas, direct):
                status, hdr, body = c.get(path)
                seen.append((url, status, hdr.get("etag"), body))
        if lb:
            for _ in range(lb_rounds):
                status, hdr, body = lb.get(path)
                who = hdr.get(SERVED_BY.lower(), "?")
                served[who] = served.get(who, 0) + 1
                seen.append((f"{args.lb} via {who}", status, hdr.get("etag"), body))
        first = seen[0]
        for where, status, etag, body in seen:
            if status != 200:
                problems.append(f"{path}: {where} answered {status}")
            elif not etag:
                problems.append(f"{path}: {where} sent no ETag")
            elif etag != first[2]:
                problems.append(f"{path}: {where} ETag {etag} != {first[2]} from {first[0]}")
            elif body != first[3]:
                problems.append(
                    f"{path}: {where} body differs from {first[0]}'s "
                    f"({len(body)} vs {len(first[3])} bytes)"
                )
        ref[path] = {"etag": first[2], "sha256": sha(first[3]), "bytes": len(first[3])}
        if expect and (
            expect[path]["etag"] != ref[path]["etag"] or expect[path]["sha256"] != ref[path]["sha256"]
        ):
            problems.append(
                f"{path}: serves ETag {ref[path]['etag']}, expected {expect[path]['etag']}"
            )
    total = len(PATHS) * (rounds * len(replicas) + (lb_rounds if lb else 0))
    print(
        f"  same: {len(PATHS)} URLs, {total} answers from {len(replicas)} "
        + ("replica" if len(replicas) == 1 else "replicas")
        + (" and HAProxy" if lb else "")
        + (": identical bodies and ETags" if not problems else "")
    )

    if lb and not problems:
        # Conditional requests through HAProxy. Each replica counts the 304s
        # it sends (portreg_http_not_modified_total); what it counted must be
        # what HAProxy says it sent there, and every replica must have had some.
        before = [metric(u, "portreg_http_not_modified_total") for u in replicas]
        hits = {}
        for path in PATHS:
            for _ in range(lb_rounds):
                status, hdr, body = lb.get(path, {"If-None-Match": ref[path]["etag"]})
                who = hdr.get(SERVED_BY.lower(), "?")
                hits[who] = hits.get(who, 0) + 1
                if status != 304:
                    problems.append(f"{path}: If-None-Match via {who} answered {status}, not 304")
                elif hdr.get("etag") != ref[path]["etag"]:
                    problems.append(f"{path}: 304 via {who} carries ETag {hdr.get('etag')}")
                elif body:
                    problems.append(f"{path}: 304 via {who} has a body")
        after = [metric(u, "portreg_http_not_modified_total") for u in replicas]
        counted = {}
        for i, u in enumerate(replicas):
            name = f"r{i + 1}"
            counted[name] = int(after[i] - before[i])
            if counted[name] == 0:
                problems.append(f"{name} ({u}) answered no conditional request")
            if counted[name] != hits.get(name, 0):
                problems.append(
                    f"{name} counted {counted[name]} 304s, HAProxy sent it {hits.get(name, 0)}"
                )
        if set(hits) - set(counted):
            problems.append(f"answers from unknown servers: {sorted(set(hits) - set(counted))}")
        if not problems:
            print(
                f"  304: {sum(hits.values())} conditional requests via HAProxy, all 304; "
                + ", ".join(f"{k} {v}" for k, v in sorted(counted.items()))
                + " (replica's own count = HAProxy's)"
            )
    if lb and len(set(served)) < len(replicas) and not problems:
        problems.append(f"HAProxy did not spread the requests: {served}")

    for c in direct + ([lb] if lb else []):
        c.close()
    if args.save:
        with open(args.save, "w") as f:
            json.dump(ref, f, indent=1)
    for p in problems[:20]:
        print(f"  FAIL {p}")
    if len(problems) > 20:
        print(f"  ... and {len(problems) - 20} more")
    return 1 if problems else 0


# ---------------------------------------------------------------- load


class Load:
    def __init__(self, args):
        self.args = args
        self.ref_a = json.load(open(args.ref_a))
        self.ref_b = json.load(open(args.ref_b))
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.only_b_since = None  # monotonic time from which every answer must be B
        self.requests = 0
        self.failures = []
        self.status = {}
        self.by_server = {}
        self.by_data = {"A": 0, "B": 0, "A=B": 0}
        self.worst = 0.0
        self.connections = 0

    def classify(self, path, status, hdr, body, sent_etag, strict):
        """Returns (data set, None) or (None, what is wrong)."""
        a, b = self.ref_a[path], self.ref_b[path]
        if status == 200:
            digest = sha(body)
            etag = hdr.get("etag")
            if digest == a["sha256"] and digest == b["sha256"]:
                which = "A=B"
            elif digest == a["sha256"]:
                which = "A"
            elif digest == b["sha256"]:
                which = "B"
            else:
                return None, f"200 with a body of neither data set ({len(body)} bytes)"
            want = (a if which != "B" else b)["etag"]
            if etag != want:
                return None, f"200 ETag {etag}, the body's is {want}"
        elif status == 304:
            etag = hdr.get("etag")
            if sent_etag is None:
                return None, "304 to an unconditional request"
            if etag != sent_etag:
                return None, f"304 with ETag {etag}, sent {sent_etag}"
            if body:
                return None, "304 with a body"
            if sent_etag == a["etag"] and sent_etag == b["etag"]:
                which = "A=B"
            elif sent_etag == a["etag"]:
                which = "A"
            elif sent_etag == b["etag"]:
                which = "B"
            else:
                return None, f"304 for ETag {sent_etag} of neither data set"
        else:
            return None, f"status {status}: {body[:120]!r}"
        if strict and which == "A":
            return None, f"data set A answered ({status}) after every replica serves B"
        return which, None

    def worker(self, n):
        args = self.args
        client = Client(args.lb, timeout=args.request_timeout)
        period = args.threads / args.rate
        due = time.monotonic()
        i = n
        while not self.stop.is_set():
            with self.lock:
                if self.requests >= args.max_requests:
                    break
                self.requests += 1
            path = PATHS[i % len(PATHS)]
            # Thirds: unconditional, revalidating A's ETag, revalidating B's.
            kind = (i // len(PATHS)) % 3
            sent = None if kind == 0 else (self.ref_a if kind == 1 else self.ref_b)[path]["etag"]
            i += 1
            start = time.monotonic()
            who = "(none)"
            try:
                status, hdr, body = client.get(path, {"If-None-Match": sent} if sent else {})
                who = hdr.get(SERVED_BY.lower(), "(unnamed)")
                only_b = self.only_b_since
                strict = only_b is not None and start > only_b
                which, wrong = self.classify(path, status, hdr, body, sent, strict)
            except (OSError, http.client.HTTPException) as e:
                status, which, wrong = "error", None, f"{type(e).__name__}: {e}"
            took = time.monotonic() - start
            with self.lock:
                self.worst = max(self.worst, took)
                self.status[str(status)] = self.status.get(str(status), 0) + 1
                self.by_server[who] = self.by_server.get(who, 0) + 1
                if wrong:
                    self.failures.append(
                        f"t={start - self.t0:6.3f}s {path} via {who}"
                        f"{' If-None-Match ' + sent if sent else ''}: {wrong}"
                    )
                else:
                    self.by_data[which] += 1
            due += period
            now = time.monotonic()
            if due > now:
                self.stop.wait(due - now)
            elif now - due > 1.0:
                due = now  # fell far behind (a busy machine): do not burst to catch up
        client.close()
        with self.lock:
            self.connections += client.opened

    def run(self):
        args = self.args
        stop_file = os.path.join(args.control, "stop")
        only_b_file = os.path.join(args.control, "only-b")
        self.t0 = time.monotonic()
        threads = [threading.Thread(target=self.worker, args=(n,)) for n in range(args.threads)]
        for t in threads:
            t.start()
        with open(os.path.join(args.control, "started"), "w"):
            pass
        deadline = self.t0 + args.max_seconds
        while any(t.is_alive() for t in threads):
            if self.only_b_since is None and os.path.exists(only_b_file):
                self.only_b_since = time.monotonic()
            if os.path.exists(stop_file) or time.monotonic() > deadline:
                self.stop.set()
            time.sleep(0.02)
        for t in threads:
            t.join()
        elapsed = time.monotonic() - self.t0
        summary = {
            "requests": self.requests,
            "seconds": round(elapsed, 2),
            "rate": round(self.requests / elapsed, 1) if elapsed else 0,
            "failures": len(self.failures),
            "status": self.status,
            "by_server": self.by_server,
            "by_data": self.by_data,
            "slowest": round(self.worst, 3),
            "connections": self.connections,
            "first_failures": self.failures[:15],
        }
        with open(os.path.join(args.control, "summary.json"), "w") as f:
            json.dump(summary, f, indent=1)
        print(
            f"  load: {self.requests} requests in {elapsed:.1f} s ({summary['rate']}/s) "
            f"on {args.threads} threads over {self.connections} kept-alive connections, "
            f"{len(self.failures)} failed"
        )
        print("  answers by status:   " + ", ".join(f"{k} {v}" for k, v in sorted(self.status.items())))
        print("  answers by replica:  " + ", ".join(f"{k} {v}" for k, v in sorted(self.by_server.items())))
        print(
            "  answers by data set: "
            + ", ".join(f"{k} {v}" for k, v in self.by_data.items())
            + f"; slowest {self.worst * 1e3:.0f} ms"
        )
        for f in self.failures[:15]:
            print(f"  FAIL {f}")
        if len(self.failures) > 15:
            print(f"  ... and {len(self.failures) - 15} more")
        problems = bool(self.failures)
        if self.by_data["A"] == 0 or self.by_data["B"] == 0:
            print("  FAIL the load did not see both data sets, so it did not span the switch")
            problems = True
        if self.only_b_since is None:
            print("  FAIL the load ended before every replica served B")
            problems = True
        return 1 if problems else 0


def cmd_load(args):
    if args.rate <= 0 or args.threads <= 0:
        raise SystemExit("replicas_client: --rate and --threads must be positive")
    return Load(args).run()


def main():
    p = argparse.ArgumentParser(prog="replicas_client.py")
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("same")
    s.add_argument("--replica", action="append", required=True)
    s.add_argument("--lb")
    s.add_argument("--save")
    s.add_argument("--expect")
    s = sub.add_parser("load")
    s.add_argument("--lb", required=True)
    s.add_argument("--ref-a", required=True)
    s.add_argument("--ref-b", required=True)
    s.add_argument("--control", required=True, help="directory for the stop/only-b files and summary")
    s.add_argument("--threads", type=int, default=8)
    s.add_argument("--rate", type=float, default=300, help="requests a second, all threads together")
    s.add_argument("--max-seconds", type=float, default=30)
    s.add_argument("--max-requests", type=int, default=20000)
    s.add_argument("--request-timeout", type=float, default=5)
    args = p.parse_args()
    fn = {"same": cmd_same, "load": cmd_load}
    try:
        return fn[args.cmd](args)
    except CheckFailed as e:
        print(f"  FAIL {e}")
        return 1
    except (OSError, http.client.HTTPException) as e:
        print(f"  FAIL {args.cmd}: {type(e).__name__}: {e}")
        return 1


if __name__ == "__main__":
    sys.exit(main())
