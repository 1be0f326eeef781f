# Trains a small PyTorch autoencoder with a norm layer in its encoder a few
# steps (so that gamma, beta and batch norm's running statistics are not their
# defaults) and exports it in eval mode to ONNX at opset 17 (which has
# LayerNormalization). argv: bn|ln|conv data.npy out.onnx out_weights.npz
# [eps]. The encoder matches norm_pre.ae's (`dense 8 relu, batchnorm|layernorm,
# dense 6 tanh`, then the code `dense 3`) or, for conv, norms.ae's convnorms
# (a batch norm per channel, a layer norm over [2, 4, 4]): module indices are
# aec's .npz names.
import sys
import numpy as np
import torch
from torch import nn

kind, data, out_onnx, out_npz = sys.argv[1:5]
eps = float(sys.argv[5]) if len(sys.argv) > 5 else 1e-5
torch.manual_seed(0)
x = torch.from_numpy(np.load(data))
if kind == "conv":  # norms.ae's convnorms encoder on [1, 8, 8], then its code
    net = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.BatchNorm2d(4), nn.MaxPool2d(2),
                        nn.Conv2d(4, 2, 3, padding=1), nn.SiLU(), nn.LayerNorm([2, 4, 4]), nn.Flatten(),
                        nn.Linear(32, 6))
    objective = lambda: (net(x) ** 2).mean()
else:
    norm = nn.BatchNorm1d(8, eps=eps) if kind == "bn" else nn.LayerNorm(8, eps=eps)
    net = nn.Sequential(nn.Linear(12, 8), nn.ReLU(), norm, nn.Linear(8, 6), nn.Tanh(), nn.Linear(6, 3),
                        nn.Linear(3, 6), nn.Tanh(), nn.Linear(6, 12), nn.Sigmoid())
    objective = lambda: nn.functional.binary_cross_entropy(net(x), x)
opt = torch.optim.Adam(net.parameters(), lr=1e-2)
for _ in range(20):
    opt.zero_grad()
    loss = objective()
    loss.backward()
    opt.step()
net.eval()
torch.onnx.export(net, x[:2], out_onnx, input_names=["input"], output_names=["output"],
                  dynamic_axes={"input": {0: "n"}, "output": {0: "n"}}, opset_version=17)
state = {k: v.detach().numpy() for k, v in net.state_dict().items() if "num_batches" not in k}
np.savez(out_npz, **state)
# Not the defaults: the check after fine-tuning compares something.
assert not np.allclose(state["2.weight"], 1) and not np.allclose(state["2.bias"], 0)
if kind != "ln":
    assert not np.allclose(state["2.running_mean"], 0) and not np.allclose(state["2.running_var"], 1)
print("exported", out_onnx)
