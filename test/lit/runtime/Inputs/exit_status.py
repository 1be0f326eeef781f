"""Runs a command and checks its exit status (lit's `not` only knows
"nonzero"). usage: exit_status.py STATUS cmd args...  Output passes through."""
import subprocess, sys

want = int(sys.argv[1])
got = subprocess.call(sys.argv[2:])
if got != want:
    sys.stderr.write("exit_status.py: `%s` exited with %d, expected %d\n" % (" ".join(sys.argv[2:]), got, want))
    sys.exit(1)
