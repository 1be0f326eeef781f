# The encoder seeded from torch_norm_pretrain.py's ONNX, checked against
# PyTorch: argv: bn|ln|conv torch.npz aec.npz x.npy codes.npy. The encoder's
# tensors in aec's .npz must be torch's exactly, and torch's eval forward of
# that encoder followed by aec's code layer (from aec.npz) must give aec's
# codes within 1e-5.
import sys
import numpy as np
import torch
from torch import nn

kind, tnpz, anpz, xs, codes = sys.argv[1:6]
t, a = dict(np.load(tnpz)), dict(np.load(anpz))
keys = ["0.weight", "0.bias", "2.weight", "2.bias", "3.weight", "3.bias"]
if kind == "conv":
    keys = ["0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias", "6.weight", "6.bias"]
if kind != "ln":
    keys += ["2.running_mean", "2.running_var"]
for k in keys:
    # aec's layer norm over [C, H, W] keeps its gamma and beta flat
    same = t[k].size == a[k].size and np.array_equal(t[k].reshape(a[k].shape), a[k])
    print(k, "same" if same else "DIFFERENT")
    if not same:
        sys.exit(1)
if kind == "conv":
    enc = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.BatchNorm2d(4), nn.MaxPool2d(2),
                        nn.Conv2d(4, 2, 3, padding=1), nn.SiLU(), nn.LayerNorm([2, 4, 4]), nn.Flatten(),
                        nn.Linear(32, 6))
    code = 8
else:
    norm = nn.BatchNorm1d(8) if kind == "bn" else nn.LayerNorm(8)
    enc = nn.Sequential(nn.Linear(12, 8), nn.ReLU(), norm, nn.Linear(8, 6), nn.Tanh(), nn.Linear(6, 3))
    code = 5
state = {k: torch.from_numpy(v) for k, v in t.items() if int(k.split(".")[0]) < code}
state.update({k: torch.from_numpy(a[k]) for k in (f"{code}.weight", f"{code}.bias")})
if kind != "ln":
    state["2.num_batches_tracked"] = torch.tensor(0)
enc.load_state_dict(state)
enc.eval()
with torch.no_grad():
    ref = enc(torch.from_numpy(np.load(xs))).numpy()
d = float(np.abs(ref - np.load(codes)).max())
print("code max abs difference", d, "ok" if d <= 1e-5 else "TOO LARGE")
sys.exit(0 if d <= 1e-5 else 1)
