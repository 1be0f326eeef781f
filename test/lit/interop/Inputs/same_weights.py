# Exits 1 unless two .npz files hold the same arrays under the named keys
# (argv: a.npz b.npz key...).
import sys
import numpy as np
a, b = np.load(sys.argv[1]), np.load(sys.argv[2])
for k in sys.argv[3:]:
    same = a[k].shape == b[k].shape and np.array_equal(a[k], b[k])
    print(k, "same" if same else "DIFFERENT")
    if not same:
        sys.exit(1)
