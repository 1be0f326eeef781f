# Writes a small float32 data set [n, 12] in [0, 1] (argv: path, n, seed).
import sys
import numpy as np
rng = np.random.default_rng(int(sys.argv[3]))
x = rng.random((int(sys.argv[2]), 12), dtype=np.float32)
x[:, ::2] = (x[:, ::2] > 0.5).astype(np.float32)
np.save(sys.argv[1], x)
