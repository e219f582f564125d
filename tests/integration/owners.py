#!/usr/bin/env python3
"""Holds sockets in three processes whose owners the -p tests look for, on loopback only.

- this process: a listener and both ends of an established connection;
- a child that renamed itself (prctl PR_SET_NAME) to a hostile name: ESC sequence, BEL, quotes,
  a control character;
- a child started by exec of a symlink whose name is hostile (comm comes from the file name).
Prints "HOLD PID PORT" per process (the port of its listener), then READY. Children die with
the parent (PR_SET_PDEATHSIG); everything ends by itself after HOLD_SECONDS.
"""
import ctypes
import os
import signal
import socket
import sys
import tempfile
import time

HOLD_SECONDS = 120
PR_SET_NAME, PR_SET_PDEATHSIG = 15, 1
# 15 bytes at most (TASK_COMM_LEN 16 with the NUL)
PRCTL_NAME = b'\x1b[31mA"\x07\'q\x01'
EXEC_NAME = '\x1b]0;x\x07"q\'\x7f'

libc = ctypes.CDLL(None, use_errno=True)


def listen_and_report():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    s.listen(8)
    c = socket.create_connection(s.getsockname())
    a, _ = s.accept()
    print(f"HOLD {os.getpid()} {s.getsockname()[1]}", flush=True)
    return [s, c, a]


def hold_as_child():
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    held = listen_and_report()
    time.sleep(HOLD_SECONDS)
    return held


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "exec-child":
        hold_as_child()
        return
    held = listen_and_report()
    if os.fork() == 0:
        for s in held:  # shared after fork: either process may be shown; keep them apart
            s.close()
        libc.prctl(PR_SET_NAME, ctypes.c_char_p(PRCTL_NAME))
        hold_as_child()
        os._exit(0)
    tmp = tempfile.mkdtemp(prefix="cw-owners-")
    link = os.path.join(tmp, EXEC_NAME)
    os.symlink(sys.executable, link)
    if os.fork() == 0:
        os.execv(link, [link, os.path.abspath(__file__), "exec-child"])
    time.sleep(0.5)
    deadline = time.time() + 20
    while time.time() < deadline:  # wait for both children's listeners
        try:
            if len([ln for ln in open(f"/proc/net/tcp") if " 0A " in ln]) >= 3:
                break
        except OSError:
            pass
        time.sleep(0.1)
    time.sleep(0.3)
    os.unlink(link)
    os.rmdir(tmp)
    print("READY", flush=True)
    time.sleep(HOLD_SECONDS)
    return held


if __name__ == "__main__":
    main()
