#!/usr/bin/env python3
"""Says what changed between two portreg data directories: records added,
removed and changed, by port and name, contacts likewise, and the registry's
date. tools/update-registry prints it after an import, so that a refresh of
the snapshot in registry/iana (or of any data directory) is reviewed as what
it means, not as a CSV diff.

usage: registry-diff.py [--limit N] OLD_DIR NEW_DIR

A record is known by its service name (case-insensitive, RFC 6335 5.1),
port text and protocol; IANA publishes one row per such triple (a repeat,
should one appear, is told apart by its order). A record "changed" when a
field other than those differs; the fields are named. Contacts are known by
their ID; the registry's header (title, experts, notes...) by its fields.
At most N records of each kind are listed (default 50), then how
many more. Exit 0; 2 on a usage error or a file that cannot be read.
"""
import csv
import os
import sys

RECORDS = "service-names-port-numbers.csv"
CONTACTS = "contacts.csv"
UPDATED = "registry-updated"
HEADER = "registry-header.csv"


def read_rows(path):
    """The rows of a CSV as dicts by header name; [] when the file is absent."""
    if not os.path.exists(path):
        return []
    with open(path, newline="", encoding="utf-8-sig") as f:
        return list(csv.DictReader(f))


def read_date(directory):
    try:
        with open(os.path.join(directory, UPDATED), encoding="ascii") as f:
            return f.read().strip() or "?"
    except OSError:
        return "(no date)"


def keyed(rows, key_of):
    """{key: row}, a repeated key numbered by its order."""
    out, seen = {}, {}
    for row in rows:
        k = key_of(row)
        n = seen.get(k, 0)
        seen[k] = n + 1
        out[k + (n,)] = row
    return out


def record_key(row):
    return ((row.get("Service Name") or "").lower(), row.get("Port Number") or "",
            (row.get("Transport Protocol") or "").lower())


def record_label(row):
    port = row.get("Port Number") or "(no port)"
    proto = row.get("Transport Protocol")
    name = row.get("Service Name") or (row.get("Description") or "").split("\n")[0][:40]
    return f"{port}{'/' + proto if proto else ''} {name}".strip()


def changed_fields(a, b):
    return [k for k in sorted(set(a) | set(b), key=lambda k: list(a).index(k) if k in a else 99)
            if (a.get(k) or "") != (b.get(k) or "")]


def compare(old, new, key_of):
    a, b = keyed(old, key_of), keyed(new, key_of)
    added = [b[k] for k in b if k not in a]
    removed = [a[k] for k in a if k not in b]
    changed = [(b[k], changed_fields(a[k], b[k])) for k in b if k in a and a[k] != b[k]]
    return added, removed, changed


def listing(title, items, limit, label):
    lines = [f"  {title} {len(items)}" + (":" if items else "")]
    for item in items[:limit]:
        lines.append(f"    {label(item)}")
    if len(items) > limit:
        lines.append(f"    ... and {len(items) - limit} more")
    return lines


def main(argv):
    limit, args, rest = 50, [], argv[1:]
    while rest:
        if rest[0] == "--limit" and len(rest) > 1:
            limit = int(rest[1]) if rest[1].isdigit() else -1
            rest = rest[2:]
        else:
            args.append(rest.pop(0))
    if len(args) != 2 or limit < 0:
        sys.stderr.write(__doc__)
        return 2
    old_dir, new_dir = args
    try:
        old_records = read_rows(os.path.join(old_dir, RECORDS))
        new_records = read_rows(os.path.join(new_dir, RECORDS))
        old_contacts = read_rows(os.path.join(old_dir, CONTACTS))
        new_contacts = read_rows(os.path.join(new_dir, CONTACTS))
        old_header = read_rows(os.path.join(old_dir, HEADER))
        new_header = read_rows(os.path.join(new_dir, HEADER))
    except (OSError, UnicodeDecodeError, csv.Error) as e:
        sys.stderr.write(f"registry-diff: {e}\n")
        return 2
    old_date, new_date = read_date(old_dir), read_date(new_dir)
    added, removed, changed = compare(old_records, new_records, record_key)
    c_added, c_removed, c_changed = compare(old_contacts, new_contacts, lambda r: (r.get("ID") or "",))
    out = [f"registry {old_date} -> {new_date}: {len(old_records)} -> {len(new_records)} records, "
           f"{len(old_contacts)} -> {len(new_contacts)} contacts"]
    out += listing("records added", added, limit, record_label)
    out += listing("records removed", removed, limit, record_label)
    out += listing("records changed", changed, limit,
                   lambda c: f"{record_label(c[0])} ({', '.join(c[1])})")
    out += listing("contacts added", c_added, limit, lambda r: r.get("ID") or "")
    out += listing("contacts removed", c_removed, limit, lambda r: r.get("ID") or "")
    out += listing("contacts changed", c_changed, limit,
                   lambda c: f"{c[0].get('ID') or ''} ({', '.join(c[1])})")
    # the header's items, by field and (for notes) title: what IANA's page
    # shows above every search, such as the experts
    def header_items(rows):
        return {(r.get("Field") or "", r.get("Title") or "", n): r.get("Value") or ""
                for n, r in enumerate(rows) if r.get("Field") == "reference"} | \
               {(r.get("Field") or "", r.get("Title") or "", 0): r.get("Value") or ""
                for r in rows if r.get("Field") != "reference"}
    a, b = header_items(old_header), header_items(new_header)
    differs = sorted({k[0] + (f" ({k[1]})" if k[1] else "") for k in set(a) | set(b)
                      if a.get(k) != b.get(k)})
    out.append(f"  header items changed {len(differs)}" + (": " + ", ".join(differs) if differs else ""))
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
