#!/usr/bin/env python3
"""The answer cache under hot and one-off questions, through the real server.

Starts `portreg serve` on a loopback port with the given data, then drives
it with wrk (bench/cachemix.lua) in two phases of --duration seconds each:
"yesterday", 90% of questions from hot set A and 10% never asked before,
then "today", the same with hot set B, as when the dashboards and CI jobs of
a day differ from the last. Prints one JSON object: for each phase the
answers per second and the server's CPU time per answer (user and system,
all its threads, from /proc). The hot sets are the bench's own mixes
(bench.py's choose_urls), A and B alternate elements of them.

    bench/cachemix_server.py --binary build-bench/portreg [--data ../shared/iana]

Loopback only; the server is stopped at the end. Standard library only."""

import argparse
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402


def run_phase(a, tmp, name, urls, words, ports, port, pid):
    paths = {}
    for kind, lines in (("urls", urls), ("words", words), ("ports", ports)):
        paths[kind] = os.path.join(tmp, f"{name}.{kind}.txt")
        with open(paths[kind], "w") as f:
            f.write("\n".join(lines) + "\n")
    result = os.path.join(tmp, f"{name}.json")
    env = dict(os.environ, BENCH_URLS=paths["urls"], BENCH_WORDS=paths["words"],
               BENCH_PORTS=paths["ports"], BENCH_RESULT=result,
               BENCH_JUNK_PCT=str(a.junk))
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "cachemix.lua")
    cpu0 = bench.cpu_seconds(pid)
    subprocess.run(["wrk", f"-t{a.wrk_threads}", f"-c{a.connections}", f"-d{a.duration}s",
                    "-s", script, f"http://127.0.0.1:{port}"],
                   env=env, check=True, stdout=subprocess.DEVNULL, timeout=a.duration + 60)
    cpu = bench.cpu_seconds(pid) - cpu0
    r = bench.load_json(result)
    e = r["errors"]
    if e["connect"] or e["read"] or e["write"] or e["timeout"] or e["status"]:
        bench.die(f"{name}: wrk errors {e}")
    return {"requests": r["requests"],
            "answers_per_s": round(r["requests"] / (r["duration_us"] / 1e6)),
            "cpu_us_per_answer": round(cpu * 1e6 / r["requests"], 2),
            "p50_us": r["latency_us"]["p50"], "p99_us": r["latency_us"]["p99"]}


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--binary", required=True)
    p.add_argument("--data", default="../shared/iana")
    p.add_argument("--duration", type=int, default=8)
    p.add_argument("--connections", type=int, default=32)
    p.add_argument("--wrk-threads", type=int, default=2)
    p.add_argument("--junk", type=int, default=10, help="percent of one-off questions")
    p.add_argument("--per", type=int, default=400, help="questions per kind in the pool")
    a = p.parse_args()
    port = bench.free_port()
    server = subprocess.Popen([a.binary, "serve", "--data", a.data,
                               "--listen", f"127.0.0.1:{port}", "--access-log", "off"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        bench.wait_ready(port, server)
        mixes, _ = bench.choose_urls(a.data, f"http://127.0.0.1:{port}", a.per)
        kinds = ("search", "list", "check", "port", "service", "contact")
        hot_a = [u for k in kinds for u in mixes[k][0::2]]
        hot_b = [u for k in kinds for u in mixes[k][1::2]]
        words = [u.split("q=", 1)[1] for u in mixes["search"]]
        ports = [u.rsplit("/", 1)[1] for u in mixes["port"]]
        with tempfile.TemporaryDirectory() as tmp:
            out = {"binary": a.binary, "duration_s": a.duration, "connections": a.connections,
                   "junk_pct": a.junk, "hot_a": len(hot_a), "hot_b": len(hot_b),
                   "loadavg_before": os.getloadavg()[0]}
            out["yesterday"] = run_phase(a, tmp, "yesterday", hot_a, words, ports, port,
                                         server.pid)
            out["today"] = run_phase(a, tmp, "today", hot_b, words, ports, port, server.pid)
            out["loadavg_after"] = os.getloadavg()[0]
        print(json.dumps(out))
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
