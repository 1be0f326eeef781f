"""Sends a signal to a training run once its first checkpoint exists.
usage: interrupt.py INT|TERM CHECKPOINT COMMAND...
Prints the run's stderr and `exit=N`."""
import os, signal, subprocess, sys, time

sig = {"INT": signal.SIGINT, "TERM": signal.SIGTERM}[sys.argv[1]]
ckpt = sys.argv[2]
p = subprocess.Popen(sys.argv[3:], stderr=subprocess.PIPE, stdout=subprocess.DEVNULL)
deadline = time.time() + 120
while not os.path.exists(ckpt) and p.poll() is None and time.time() < deadline:
    time.sleep(0.01)
p.send_signal(sig)
err = p.communicate()[1].decode()
sys.stdout.write(err)
print("exit=%d" % p.returncode)
