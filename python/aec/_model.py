"""Model: a compiled autoencoder over its shared library (ctypes)."""
import ctypes
import math

import numpy as np

from ._build import AecError, build_shared, read_header

_f32p = ctypes.POINTER(ctypes.c_float)


def compile(source, aec=None, workdir=None, **build_options):
    """Builds `source` (.ae) into a shared library and opens it as a Model.

    build_options: inference_only, target_cpu, opt_level, model, stdlib,
    weight_format ("bf16" or "int8": inference on a packed copy of the dense
    weights, see Model.set_weight_format), cache (default True: unchanged
    parts come from aec's object cache, $AEC_CACHE_DIR)."""
    lib, header = build_shared(source, aec=aec, workdir=workdir, **build_options)
    return Model(lib, header)


class _ModelInfo(ctypes.Structure):
    """The head of `aec_model` (runtime/include/aec/model_abi.h), read only
    for the training defaults and cross-checked against the header."""
    _fields_ = [("abi_version", ctypes.c_int32), ("name", ctypes.c_char_p),
                ("arch_hash", ctypes.c_uint64), ("summary", ctypes.c_char_p),
                ("input_rank", ctypes.c_int32), ("input_dims", ctypes.c_int64 * 4),
                ("input_size", ctypes.c_int64), ("has_range", ctypes.c_int32),
                ("range_lo", ctypes.c_float), ("range_hi", ctypes.c_float),
                ("code_layer", ctypes.c_int32), ("code_size", ctypes.c_int64),
                ("max_batch", ctypes.c_int64), ("param_count", ctypes.c_int64),
                ("opt_slots", ctypes.c_int64), ("workspace_size", ctypes.c_int64),
                ("num_layers", ctypes.c_int32), ("layers", ctypes.c_void_p),
                ("num_tensors", ctypes.c_int32), ("tensors", ctypes.c_void_p),
                ("pretrained_path", ctypes.c_char_p), ("loss", ctypes.c_int32),
                ("optimizer", ctypes.c_int32), ("lr", ctypes.c_float),
                ("momentum", ctypes.c_float), ("beta1", ctypes.c_float),
                ("beta2", ctypes.c_float), ("eps", ctypes.c_float),
                ("batch", ctypes.c_int64), ("epochs", ctypes.c_int64),
                ("seed", ctypes.c_uint64)]


class Model:
    """A compiled model with one session (weights, optimizer state).

    Arrays in and out are NumPy float32, [n, ...] with one sample per row."""

    def __init__(self, library, header):
        self.library = library
        info = read_header(header)
        self.name = info["prefix"]
        self.input_size = info["input_size"]
        self.code_size = info["code_size"]
        self.output_size = info["output_size"]
        self.inference_only = info["inference_only"]
        self.weight_format = info["weight_format"]  # the build's; set_weight_format switches
        self.layers = info["layers"]  # name -> (index, size per sample)
        self._lib = ctypes.CDLL(library)
        self._bind()
        self.input_shape = (self.input_size,)
        self.defaults = {"epochs": 10, "batch": 64, "lr": None}
        self._read_model_constant()
        self._s = self._fn("create")()
        if not self._s:
            raise AecError(self._error())

    # ---- plumbing ----
    def _fn(self, name):
        return getattr(self._lib, "%s_%s" % (self.name, name))

    def _has(self, name):
        return hasattr(self._lib, "%s_%s" % (self.name, name))

    def _bind(self):
        vp, i64 = ctypes.c_void_p, ctypes.c_int64
        sig = {"create": (vp, []), "destroy": (None, [vp]), "load": (ctypes.c_int, [vp, ctypes.c_char_p]),
               "save": (ctypes.c_int, [vp, ctypes.c_char_p]),
               "encode": (ctypes.c_int, [vp, _f32p, i64, _f32p]),
               "decode": (ctypes.c_int, [vp, _f32p, i64, _f32p]),
               "reconstruct": (ctypes.c_int, [vp, _f32p, i64, _f32p]),
               "layer_output": (ctypes.c_int, [vp, ctypes.c_int32, _f32p, i64, _f32p]),
               "last_error": (ctypes.c_char_p, []), "set_threads": (ctypes.c_int, [ctypes.c_int]),
               "set_weight_format": (ctypes.c_int, [vp, ctypes.c_char_p]),
               "train_step": (ctypes.c_float, [vp, _f32p, i64]),
               "set_lr": (ctypes.c_int, [vp, ctypes.c_float]),
               "export": (ctypes.c_int, [vp, ctypes.c_char_p]),
               "import": (ctypes.c_int, [vp, ctypes.c_char_p])}
        for name, (ret, args) in sig.items():
            if self._has(name):
                f = self._fn(name)
                f.restype, f.argtypes = ret, args

    def _read_model_constant(self):
        try:
            m = _ModelInfo.in_dll(self._lib, self.name + "_model")
        except ValueError:
            return
        # ABI 2 (issue 8), 3 (bf16 inference) and 4 (int8, issue 13.4) appended or
        # renamed fields after the head read here, the same in 1 to 4.
        if m.abi_version not in (1, 2, 3, 4) or m.input_size != self.input_size or m.code_size != self.code_size:
            return
        self.input_shape = tuple(m.input_dims[i] for i in range(m.input_rank))
        self.defaults = {"epochs": int(m.epochs), "batch": int(m.batch), "lr": float(m.lr)}

    def _error(self):
        msg = self._fn("last_error")()
        return msg.decode() if msg else "unknown error"

    def _check(self, rc):
        if rc != 0:
            raise AecError(self._error())

    def _array(self, x, size, what):
        """x as C-contiguous float32 [n, size]; explicit about what it accepts."""
        if not isinstance(x, np.ndarray):
            raise TypeError("%s must be a NumPy array, got %s" % (what, type(x).__name__))
        if x.dtype == np.float64:
            x = x.astype(np.float32)  # explicit conversion; values beyond float32 become inf (caught below)
        elif x.dtype != np.float32:
            raise TypeError("%s must be float32 (or float64, converted), got %s" % (what, x.dtype))
        if x.ndim < 2 or x.shape[0] < 1 or int(np.prod(x.shape[1:])) != size:
            raise ValueError("%s must have shape [n, ...] with %d elements per sample, got %s"
                             % (what, size, tuple(x.shape)))
        x = np.ascontiguousarray(x).reshape(x.shape[0], size)
        if not np.isfinite(x).all():
            bad = np.argwhere(~np.isfinite(x))[0]
            raise ValueError("%s has a NaN or inf at sample %d, element %d" % (what, bad[0], bad[1]))
        return x

    @staticmethod
    def _ptr(a):
        return a.ctypes.data_as(_f32p)

    def _map(self, fn, x, in_size, out_size, what, *extra):
        x = self._array(x, in_size, what)
        out = np.empty((x.shape[0], out_size), dtype=np.float32)
        self._check(fn(self._s, *extra, self._ptr(x), x.shape[0], self._ptr(out)))
        return out

    # ---- inference ----
    def encode(self, x):
        """Codes [n, code_size] of inputs x."""
        return self._map(self._fn("encode"), x, self.input_size, self.code_size, "x")

    def decode(self, codes):
        """Reconstructions [n, output_size] from codes."""
        return self._map(self._fn("decode"), codes, self.code_size, self.output_size, "codes")

    def reconstruct(self, x):
        return self._map(self._fn("reconstruct"), x, self.input_size, self.output_size, "x")

    def score(self, x):
        """Per-sample anomaly score: the mean squared reconstruction error."""
        xs = self._array(x, self.input_size, "x")
        return np.mean((self.reconstruct(xs) - xs) ** 2, axis=1)

    def layer_output(self, layer, x):
        """The output of `layer` (a name as in `info`, e.g. "enc1", or an index)."""
        if isinstance(layer, str):
            key = layer.lower().replace(".", "_")
            if key not in self.layers:
                raise KeyError("model `%s` has no layer `%s`; layers: %s"
                               % (self.name, layer, ", ".join(self.layers)))
            index, size = self.layers[key]
        else:
            by_index = {i: s for i, s in self.layers.values()}
            if layer not in by_index:
                raise IndexError("layer index %r out of range 0..%d" % (layer, len(by_index) - 1))
            index, size = layer, by_index[layer]
        return self._map(self._fn("layer_output"), x, self.input_size, size, "x",
                         ctypes.c_int32(index))

    def set_weight_format(self, fmt):
        """Inference (encode, decode, reconstruct, score, layer_output) on the
        build's packed weights ("bf16" or "int8", the default of such a build)
        or on the f32 weights ("f32"); training always uses f32."""
        self._check(self._fn("set_weight_format")(self._s, fmt.encode()))

    def sample(self, count, seed=0):
        """Samples decoded from the prior (variational models only)."""
        if not self._has("sample"):
            raise AecError("model `%s` is not variational (`code N variational`): it has no sample"
                           % self.name)
        f = self._fn("sample")
        out = np.empty((int(count), self.output_size), dtype=np.float32)
        f.restype = ctypes.c_int
        f.argtypes = [ctypes.c_void_p, ctypes.c_int64, ctypes.c_uint64, _f32p]
        self._check(f(self._s, int(count), int(seed), self._ptr(out)))
        return out

    # ---- training ----
    def fit(self, x, epochs=None, batch=None, val=None, lr=None, shuffle=True, seed=0,
            callback=None):
        """Trains on x; returns the history, one dict per epoch ("loss" and,
        with val, "val_mse"). callback(epoch, logs) is called after each
        epoch; returning False stops training. The last partial batch is
        dropped (as the executable's `train` does)."""
        if self.inference_only:
            raise AecError("model `%s` was compiled with inference_only=True" % self.name)
        x = self._array(x, self.input_size, "x")
        if val is not None:
            val = self._array(val, self.input_size, "val")
        epochs = self.defaults["epochs"] if epochs is None else int(epochs)
        batch = self.defaults["batch"] if batch is None else int(batch)
        if epochs < 1 or batch < 1:
            raise ValueError("epochs and batch must be >= 1")
        if lr is not None:
            self._check(self._fn("set_lr")(self._s, float(lr)))
        batch = min(batch, x.shape[0])
        rng = np.random.default_rng(seed)
        step = self._fn("train_step")
        history = []
        for epoch in range(1, epochs + 1):
            order = rng.permutation(x.shape[0]) if shuffle else np.arange(x.shape[0])
            total, batches = 0.0, 0
            for start in range(0, x.shape[0] - batch + 1, batch):
                xb = np.ascontiguousarray(x[order[start:start + batch]])
                loss = step(self._s, self._ptr(xb), xb.shape[0])
                if math.isnan(loss) and self._error():
                    raise AecError(self._error())
                if not math.isfinite(loss):
                    raise AecError("training diverged at epoch %d (loss %s)" % (epoch, loss))
                total += loss
                batches += 1
            logs = {"loss": total / max(batches, 1)}
            if val is not None:
                logs["val_mse"] = float(np.mean(self.score(val)))
            history.append(logs)
            if callback is not None and callback(epoch, dict(logs)) is False:
                break
        return history

    # ---- weights ----
    def save(self, path):
        """An .aew checkpoint (the executable's --weights format)."""
        self._check(self._fn("save")(self._s, str(path).encode()))

    def load(self, path):
        self._check(self._fn("load")(self._s, str(path).encode()))

    def export(self, path):
        """Weights as .npz in PyTorch's layout (runtime/README.md)."""
        if not self._has("export"):
            raise AecError("export needs a training build (inference_only=False)")
        self._check(self._fn("export")(self._s, str(path).encode()))

    def import_npz(self, path):
        if not self._has("import"):
            raise AecError("import needs a training build (inference_only=False)")
        self._check(self._fn("import")(self._s, str(path).encode()))

    def close(self):
        if getattr(self, "_s", None):
            self._fn("destroy")(self._s)
            self._s = None

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass

    def __repr__(self):
        return "<aec.Model %s input=%s code=%d>" % (self.name, self.input_shape, self.code_size)
