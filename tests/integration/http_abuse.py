#!/usr/bin/env python3
"""Misbehaving HTTP clients for the serve test, loopback only, every loop bounded.

usage: http_abuse.py PORT slow     send a GET one byte every 0.1 s (about 3 s), print the status line
       http_abuse.py PORT stall N  open N connections that send half a request, print READY, hold 15 s
       http_abuse.py PORT garbage  send bytes that are not HTTP, print what came back ("closed", or "no answer" after 2 s)
"""
import socket
import sys
import time

HOST = "127.0.0.1"


def status_line(s, timeout=15):
    s.settimeout(timeout)
    data = b""
    try:
        while b"\r\n" not in data and len(data) < 4096:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
    except socket.timeout:
        return "no answer" if not data else data.decode("latin-1")
    except ConnectionResetError:
        pass
    return data.split(b"\r\n", 1)[0].decode("latin-1") or "closed"


def main():
    port, mode = int(sys.argv[1]), sys.argv[2]
    if mode == "slow":
        s = socket.create_connection((HOST, port), timeout=5)
        for b in b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n":
            s.send(bytes([b]))
            time.sleep(0.1)
        print(status_line(s))
    elif mode == "stall":
        held = []
        for _ in range(int(sys.argv[3])):
            s = socket.create_connection((HOST, port), timeout=5)
            s.send(b"GET /metr")
            held.append(s)
        print("READY", flush=True)
        time.sleep(15)
    elif mode == "garbage":
        s = socket.create_connection((HOST, port), timeout=5)
        s.send(b"\x00\x01\x02 NOT HTTP \xff\xfe\r\n\r\n")
        # the server may answer 400, close, or wait for the rest until its timeout
        print(status_line(s, timeout=2))
    else:
        sys.exit("unknown mode " + mode)


if __name__ == "__main__":
    main()
