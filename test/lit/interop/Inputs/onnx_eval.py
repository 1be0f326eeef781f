# Checks an ONNX file written by aec (onnx.checker, full check) and evaluates
# it node by node (NumPy, torch.nn.functional for Conv/pooling/Resize);
# the ops are ONNX's (opset 13), written out here, not taken from aec;
# compares "reconstruction" and "code" with aec's own outputs within 1e-5.
# argv: model.onnx data.npy aec_reconstruction.npy aec_codes.npy
import sys
import numpy as np
import onnx
import torch
import torch.nn.functional as F
from onnx import numpy_helper

model = onnx.load(sys.argv[1])
onnx.checker.check_model(model, full_check=True)
print("checker ok, opset", model.opset_import[0].version, "nodes",
      " ".join(n.op_type for n in model.graph.node))
x = np.load(sys.argv[2]).astype(np.float32)
dims = [d.dim_value for d in model.graph.input[0].type.tensor_type.shape.dim[1:]]
env = {"input": x.reshape([x.shape[0]] + dims), "": None}
env.update({i.name: numpy_helper.to_array(i) for i in model.graph.initializer})
t = lambda a: torch.from_numpy(np.ascontiguousarray(a))
for n in model.graph.node:
    a = {at.name: onnx.helper.get_attribute_value(at) for at in n.attribute}
    i = [env[k] for k in n.input]
    op = n.op_type
    if op == "Gemm":
        y = i[0] @ (i[1].T if a.get("transB") else i[1]) + i[2]
    elif op == "Conv":
        k = len(a["kernel_shape"])
        p = a["pads"]
        padded = F.pad(t(i[0]), [v for d in reversed(range(k)) for v in (p[d], p[k + d])])
        conv = F.conv2d if k == 2 else F.conv1d
        y = conv(padded, t(i[1]), t(i[2]), stride=a["strides"]).numpy()
    elif op in ("MaxPool", "AveragePool"):
        k = len(a["kernel_shape"])
        pool = {("MaxPool", 2): F.max_pool2d, ("MaxPool", 1): F.max_pool1d,
                ("AveragePool", 2): F.avg_pool2d, ("AveragePool", 1): F.avg_pool1d}[(op, k)]
        y = pool(t(i[0]), a["kernel_shape"], a["strides"]).numpy()
    elif op == "Resize":
        y = F.interpolate(t(i[0]), scale_factor=[float(s) for s in i[2][2:]], mode="nearest").numpy()
    elif op == "Flatten":
        y = i[0].reshape(i[0].shape[0], -1)
    elif op == "Reshape":
        y = i[0].reshape(i[1])
    elif op == "Relu":
        y = np.maximum(i[0], 0)
    elif op == "LeakyRelu":
        y = np.where(i[0] > 0, i[0], a["alpha"] * i[0])
    elif op == "Elu":
        y = np.where(i[0] > 0, i[0], a["alpha"] * (np.exp(i[0]) - 1))
    elif op == "Sigmoid":
        y = 1 / (1 + np.exp(-i[0]))
    elif op == "Tanh":
        y = np.tanh(i[0])
    elif op == "BatchNormalization":
        shape = [1, -1] + [1] * (i[0].ndim - 2)
        scale, bias, mean, var = (v.reshape(shape) for v in i[1:5])
        y = (i[0] - mean) / np.sqrt(var + a["epsilon"]) * scale + bias
    elif op == "ReduceMean":
        y = np.mean(i[0], axis=tuple(a["axes"]), keepdims=bool(a.get("keepdims", 1)))
    elif op in ("Add", "Sub", "Mul", "Div"):
        y = {"Add": np.add, "Sub": np.subtract, "Mul": np.multiply, "Div": np.divide}[op](i[0], i[1])
    elif op == "Sqrt":
        y = np.sqrt(i[0])
    elif op == "Identity":
        y = i[0]
    else:
        sys.exit("unexpected op " + op)
    env[n.output[0]] = np.asarray(y, dtype=np.float32)
for name, path in (("reconstruction", sys.argv[3]), ("code", sys.argv[4])):
    ours, theirs = env[name], np.load(path)
    d = float(np.max(np.abs(ours.reshape(theirs.shape) - theirs)))
    print(name, "max abs difference %.3g" % d, "ok" if d <= 1e-5 else "TOO LARGE")
