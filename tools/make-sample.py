#!/usr/bin/env python3
"""Rebuilds data/sample/ from the two seed documents and IANA's real files.

usage: make-sample.py SEEDS_DIR IANA_DIR OUT_DIR

The seeds are renderings of IANA search results and lose information (empty
cells dropped, columns run together), so they are used only to say *which*
rows belong in the sample: each seed row is identified by service name, port
and protocol (or port, protocol and description where it has no name), and
the row itself is copied byte-for-byte from IANA's CSV. Contacts likewise:
IDs from the seeds' contact sections, rows from contacts.csv.
"""
import csv
import io
import os
import re
import sys

PROTOS = {"tcp", "udp", "sctp", "dccp"}
PORT = re.compile(r"^\d+(-\d+)?$")


def seed_rows(path):
    """Yields (name, port, proto, description-start) and contact IDs."""
    rows, ids = [], []
    text = open(path, encoding="utf-8").read()
    in_contacts = False
    for line in text.splitlines():
        if line.startswith("Contact Information"):
            in_contacts = True
            continue
        if line.startswith("|"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            if cells[0] in ("Service Name", "ID") or set(cells[0]) <= {"-"}:
                continue
            if in_contacts:
                ids.append(cells[0].strip("[]"))
            else:
                rows.append((cells[0], cells[1], cells[2] if cells[2] in PROTOS else "", ""))
            continue
        tokens = line.split()
        if not tokens:
            continue
        if in_contacts:
            if tokens[0].startswith("[") and tokens[0].endswith("]"):
                ids.append(tokens[0][1:-1])
            continue
        if PORT.match(tokens[0]):
            name, rest = "", tokens
        elif len(tokens) > 1 and PORT.match(tokens[1]) and tokens[0] != "Service":
            name, rest = tokens[0], tokens[1:]
        else:
            continue
        port, rest = rest[0], rest[1:]
        proto = rest[0] if rest and rest[0] in PROTOS else ""
        if proto:
            rest = rest[1:]
        rows.append((name, port, proto, rest[0] if rest and not name else ""))
    return rows, ids


def main(argv):
    seeds_dir, iana_dir, out_dir = argv[1:4]
    with open(os.path.join(iana_dir, "service-names-port-numbers.csv"), newline="",
              encoding="utf-8") as f:
        registry = list(csv.reader(f))
    with open(os.path.join(iana_dir, "contacts.csv"), newline="", encoding="utf-8") as f:
        contacts = list(csv.reader(f))
    wanted, ids = [], []
    for name in sorted(os.listdir(seeds_dir)):
        r, i = seed_rows(os.path.join(seeds_dir, name))
        wanted += r
        ids += i
    picked = []
    for name, port, proto, desc in wanted:
        hits = [i for i, row in enumerate(registry[1:], 1)
                if row[0] == name and row[1] == port and row[2] == proto
                and (name or row[3].startswith(desc))]
        if len(hits) != 1:
            sys.exit(f"seed row {name!r} {port} {proto!r} matches {len(hits)} registry rows")
        if hits[0] not in picked:
            picked.append(hits[0])
    picked.sort()
    by_id = {row[0][1:-1]: row for row in contacts[1:]}
    cited = set()
    for i in picked:
        cited |= set(re.findall(r"\[([^\]]+)\]", registry[i][4] + registry[i][5]))
    missing = (cited | set(ids)) - set(by_id)
    if missing:
        sys.exit(f"IDs not in contacts.csv: {sorted(missing)}")
    os.makedirs(out_dir, exist_ok=True)
    for fname, header, rows in (
            ("service-names-port-numbers.csv", registry[0], [registry[i] for i in picked]),
            ("contacts.csv", contacts[0], [by_id[i] for i in sorted(cited | set(ids))])):
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\r\n").writerows([header] + rows)
        with open(os.path.join(out_dir, fname), "w", encoding="utf-8", newline="") as f:
            f.write(buf.getvalue())
        print(f"{fname}: {len(rows)} rows")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
