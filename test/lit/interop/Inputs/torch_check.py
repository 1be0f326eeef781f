# Loads aec's exported .npz into the equivalent torch.nn.Sequential (strict
# state_dict) and checks its reconstructions against aec's (argv: npz, data,
# aec reconstructions); also writes the state_dict back to an .npz after a
# change, for `import` (argv[4]).
import sys
import numpy as np
import torch
from torch import nn

net = nn.Sequential(
    nn.Linear(12, 8), nn.ReLU(),
    nn.Linear(8, 6), nn.Tanh(),
    nn.Linear(6, 3),
    nn.Linear(3, 6), nn.Tanh(),
    nn.Linear(6, 8), nn.ReLU(),
    nn.Linear(8, 12), nn.Sigmoid())
weights = np.load(sys.argv[1])
print("names:", " ".join(sorted(weights.files)))
net.load_state_dict({k: torch.from_numpy(weights[k]) for k in weights.files}, strict=True)
x = torch.from_numpy(np.load(sys.argv[2]))
with torch.no_grad():
    ours = net(x).numpy()
theirs = np.load(sys.argv[3])
diff = float(np.max(np.abs(ours - theirs)))
print("max abs difference %.3g" % diff, "ok" if diff <= 1e-5 else "TOO LARGE")
if len(sys.argv) > 4:
    with torch.no_grad():
        net[0].bias.add_(0.25)
        ours = net(x).numpy()
    np.savez(sys.argv[4], **{k: v.numpy() for k, v in net.state_dict().items()})
    np.save(sys.argv[4] + ".expected.npy", ours)
