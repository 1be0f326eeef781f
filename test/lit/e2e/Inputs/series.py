"""Writes N synthetic series of length L (raw little-endian float32, [N][L]):
noisy sums of two sines with random frequency and phase, scaled into [-0.9, 0.9].
usage: series.py N L out.f32"""
import math, random, struct, sys

n, length, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
rng = random.Random(1)
vals = []
for _ in range(n):
    f1, f2 = rng.uniform(1, 4), rng.uniform(4, 8)
    p1, p2 = rng.uniform(0, 2 * math.pi), rng.uniform(0, 2 * math.pi)
    a = rng.uniform(0.3, 0.6)
    for t in range(length):
        x = t / length * 2 * math.pi
        v = a * math.sin(f1 * x + p1) + 0.3 * math.sin(f2 * x + p2) + rng.gauss(0, 0.02)
        vals.append(max(-0.9, min(0.9, v)))
with open(out, "wb") as f:
    f.write(struct.pack("<%df" % len(vals), *vals))
