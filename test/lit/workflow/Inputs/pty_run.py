"""Runs a command with stderr on a pseudo-terminal; prints what it wrote
there with \r shown as <CR>. usage: pty_run.py COMMAND..."""
import os, pty, subprocess, sys

master, slave = pty.openpty()
p = subprocess.Popen(sys.argv[1:], stderr=slave, stdout=subprocess.DEVNULL)
os.close(slave)
out = b""
while True:
    try:
        chunk = os.read(master, 65536)
    except OSError:
        break
    if not chunk:
        break
    out += chunk
p.wait()
sys.stdout.write(out.decode(errors="replace").replace("\r", "<CR>"))
