# Exits 0 if two .npy arrays agree within 1e-5 (argv: a, b).
import sys
import numpy as np
a, b = np.load(sys.argv[1]), np.load(sys.argv[2])
d = float(np.max(np.abs(a - b)))
print("max abs difference %.3g" % d, "ok" if a.shape == b.shape and d <= 1e-5 else "TOO LARGE")
