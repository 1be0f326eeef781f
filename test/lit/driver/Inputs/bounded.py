"""Runs a command with 1 GiB of address space and 60 s of CPU, and checks its
exit status. usage: bounded.py STATUS cmd args...  Output passes through."""
import resource
import subprocess
import sys


def limit():
    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
    resource.setrlimit(resource.RLIMIT_CPU, (60, 60))


want = int(sys.argv[1])
got = subprocess.call(sys.argv[2:], preexec_fn=limit)
if got != want:
    sys.stderr.write("bounded.py: `%s` exited with %d, expected %d\n" % (" ".join(sys.argv[2:]), got, want))
    sys.exit(1)
