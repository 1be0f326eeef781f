"""Runs a command and fails if its peak resident memory exceeds LIMIT_MB
(works under ASan, unlike ulimit -v). Output and exit status pass through.
usage: maxrss.py LIMIT_MB cmd args..."""
import resource, subprocess, sys

limit = int(sys.argv[1])
rc = subprocess.call(sys.argv[2:])
peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
if peak_mb > limit:
    sys.stderr.write("maxrss.py: `%s` peaked at %.0f MB, limit %d MB\n" % (" ".join(sys.argv[2:]), peak_mb, limit))
    sys.exit(99)
sys.exit(rc)
