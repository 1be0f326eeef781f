# Trains a small PyTorch autoencoder briefly and exports it to ONNX
# (argv: data.npy out.onnx out_weights.npz); the .npz keeps the reference
# weights for the check after aec fine-tunes with a frozen encoder.
import sys
import numpy as np
import torch
from torch import nn

torch.manual_seed(0)
net = nn.Sequential(nn.Linear(12, 8), nn.ReLU(), nn.Linear(8, 6), nn.Tanh(), nn.Linear(6, 3),
                    nn.Linear(3, 6), nn.Tanh(), nn.Linear(6, 8), nn.ReLU(), nn.Linear(8, 12),
                    nn.Sigmoid())
x = torch.from_numpy(np.load(sys.argv[1]))
opt = torch.optim.Adam(net.parameters(), lr=1e-2)
for _ in range(20):
    opt.zero_grad()
    loss = nn.functional.binary_cross_entropy(net(x), x)
    loss.backward()
    opt.step()
net.eval()
torch.onnx.export(net, x[:2], sys.argv[2], input_names=["input"], output_names=["output"],
                  dynamic_axes={"input": {0: "n"}, "output": {0: "n"}})
np.savez(sys.argv[3], **{k: v.detach().numpy() for k, v in net.state_dict().items()})
print("exported", sys.argv[2])
