#!/usr/bin/env python3
"""Makes exactly N TIME_WAIT sockets on ::1 (the client closes first), prints READY, and holds the
listener for at most 60 s. usage: time_wait_maker.py N"""
import socket
import sys
import time


def main():
    n = int(sys.argv[1])
    srv = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    srv.bind(("::1", 0))
    srv.listen(128)
    for _ in range(n):
        c = socket.create_connection(("::1", srv.getsockname()[1]))
        a, _ = srv.accept()
        c.close()  # active close: this end goes to TIME_WAIT
        a.recv(1)  # wait for the FIN, then close the server end (LAST_ACK, then gone)
        a.close()
    time.sleep(0.3)
    print("READY", flush=True)
    time.sleep(60)


if __name__ == "__main__":
    main()
