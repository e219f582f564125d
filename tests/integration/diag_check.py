#!/usr/bin/env python3
"""Checks a `connwatch summary --json` document read from stdin.

  diag_check.py none                       no warnings at all
  diag_check.py warning ID KEY=VALUE...    a warning ID whose evidence has KEY == VALUE
                                           (numbers compared as numbers); KEY~=PREFIX checks
                                           that a list KEY's addresses all start with PREFIX
Exits 1 with the reason and the document when the check fails.
"""
import json
import sys


def fail(msg, doc):
    print("FAIL: " + msg)
    print(json.dumps(doc, indent=1)[:6000])
    sys.exit(1)


def matches(ev, cond):
    if "~=" in cond:
        key, prefix = cond.split("~=", 1)
        items = ev.get(key) or []
        return bool(items) and all(i.get("address", "").startswith(prefix) for i in items)
    key, want = cond.split("=", 1)
    have = ev.get(key)
    if isinstance(have, (int, float)) and not isinstance(have, bool):
        return have == float(want)
    return str(have) == want


def main():
    doc = json.load(sys.stdin)
    for field in ("version", "total", "states", "protocols", "remote_ips", "local_ports",
                  "warnings"):
        if field not in doc:
            fail("missing field " + field, doc)
    for w in doc["warnings"]:
        for field in ("id", "severity", "message", "evidence", "remedy"):
            if field not in w:
                fail("warning without " + field, doc)
        if w["severity"] not in ("warning", "critical"):
            fail("bad severity " + w["severity"], doc)
    if sys.argv[1] == "none":
        if doc["warnings"]:
            fail("expected no warnings", doc)
        return
    wid, conds = sys.argv[2], sys.argv[3:]
    found = [w for w in doc["warnings"] if w["id"] == wid]
    if not found:
        fail("no %s warning" % wid, doc)
    for w in found:
        if all(matches(w["evidence"], c) for c in conds):
            print("ok: %s: %s" % (wid, w["message"]))
            return
    fail("%s warning without %s" % (wid, " ".join(conds)), doc)


if __name__ == "__main__":
    main()
