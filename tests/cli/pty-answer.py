#!/usr/bin/env python3
"""pty-answer.py ANSWERS_FILE CMD ARGS...: run CMD on a new pseudo-terminal
(its controlling terminal), answer each prompt ending in ": " with the next
line of ANSWERS_FILE, and copy everything the terminal showed to stdout.
Exit with CMD's status. Bounded: 30 s in all."""
import os
import pty
import select
import sys
import time

answers = open(sys.argv[1], "rb").read().split(b"\n")[:-1]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[2], sys.argv[2:])
seen = b""
pending = b""
deadline = time.monotonic() + 30
while time.monotonic() < deadline:
    r, _, _ = select.select([fd], [], [], 0.2)
    if r:
        try:
            data = os.read(fd, 4096)
        except OSError:
            break
        if not data:
            break
        seen += data
        pending += data
        if pending.rstrip().endswith(b":") and b"password" in pending.lower() and answers:
            os.write(fd, answers.pop(0) + b"\n")
            pending = b""
else:
    os.kill(pid, 9)
_, status = os.waitpid(pid, 0)
sys.stdout.buffer.write(seen)
sys.exit(os.waitstatus_to_exitcode(status) if hasattr(os, "waitstatus_to_exitcode") else status >> 8)
