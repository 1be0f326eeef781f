"""Starts a 2-rank training job, waits for its first checkpoint, kills rank 1
with SIGKILL and checks that the job ends (non-zero) within 60 s, leaving no
temporary file and a checkpoint that is not newer than the kill.
usage: kill_rank.py DIST_EXE DATA CHECKPOINT"""
import glob, os, signal, subprocess, sys, time

exe, data, ckpt = sys.argv[1:4]
job = subprocess.Popen(
    ["mpirun", "-np", "2", "--oversubscribe", "--bind-to", "none", "sh", "-c",
     f'echo $$ > rank$OMPI_COMM_WORLD_RANK.pid; exec {exe} train --data {data} --threads 1 '
     f'--epochs 100000 --save-every 0 --save {ckpt}'],
    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
deadline = time.time() + 60
while not (os.path.exists(ckpt) and os.path.exists("rank1.pid")):
    if time.time() > deadline or job.poll() is not None:
        sys.exit("the job did not write a first checkpoint")
    time.sleep(0.05)
time.sleep(0.3)
os.kill(int(open("rank1.pid").read()), signal.SIGKILL)
killed = time.time()
try:
    rc = job.wait(timeout=60)
except subprocess.TimeoutExpired:
    job.kill()
    sys.exit("the job still ran 60 s after a rank was killed")
if rc == 0:
    sys.exit("the job exited 0 after a rank was killed")
if glob.glob(ckpt + ".tmp*") or os.path.getmtime(ckpt) > killed + 1:
    sys.exit("a checkpoint was written or left half-written after the kill")
print(f"job ended {time.time() - killed:.1f} s after the kill, exit status {rc}")
