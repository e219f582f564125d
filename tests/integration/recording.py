#!/usr/bin/env python3
"""Reads connwatch --record files (src/source_netlink.h: records of a 12-byte header, magic
"CWR1", protocol, length, then the bytes of one recv() of sock_diag replies), for the tests.

usage: recording.py types FILE     one line per socket message: REPLY_TYPE FAMILY STATE
       recording.py records FILE   one line per record: PROTO LENGTH MESSAGES
"""
import struct
import sys

MAGIC = 0x31525743
NLMSG_TYPES = {1: "NOOP", 2: "ERROR", 3: "DONE", 18: "TCPDIAG_GETSOCK", 20: "SOCK_DIAG_BY_FAMILY"}
FAMILIES = {2: "inet", 10: "inet6"}
STATES = ["UNKNOWN", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2", "TIME_WAIT",
          "CLOSE", "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING", "SYN_RECV"]  # 12: request sock


def records(data):
    off = 0
    while off < len(data):
        magic, proto, length = struct.unpack_from("=III", data, off)
        if magic != MAGIC or off + 12 + length > len(data):
            raise SystemExit(f"recording.py: bad record at byte {off}")
        yield proto, data[off + 12:off + 12 + length]
        off += 12 + length


def messages(buf):
    off = 0
    while off + 16 <= len(buf):
        length, mtype, _flags, _seq, _pid = struct.unpack_from("=IHHII", buf, off)
        if length < 16 or off + length > len(buf):
            raise SystemExit("recording.py: bad netlink message")
        yield mtype, buf[off + 16:off + length]
        off += (length + 3) & ~3


def main():
    cmd, path = sys.argv[1], sys.argv[2]
    data = open(path, "rb").read()
    for proto, buf in records(data):
        msgs = list(messages(buf))
        if cmd == "records":
            print({0: "tcp", 1: "udp", 0xFFFFFFFF: "end"}.get(proto, str(proto)), len(buf),
                  len(msgs))
            continue
        for mtype, payload in msgs:
            if mtype in (18, 20) and len(payload) >= 2:
                family, state = payload[0], payload[1]
                print(NLMSG_TYPES[mtype], FAMILIES.get(family, str(family)),
                      STATES[state] if state < len(STATES) else str(state))


if __name__ == "__main__":
    main()
