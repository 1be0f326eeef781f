"""Running the aec compiler and reading the generated C header."""
import os
import re
import shutil
import subprocess
import tempfile


class AecError(RuntimeError):
    """The compiler or the runtime reported an error (its message included)."""


def find_compiler(aec=None):
    path = aec or os.environ.get("AEC") or shutil.which("aec")
    if not path or not os.path.exists(path):
        raise AecError("cannot find the aec compiler: pass aec=PATH, set $AEC or put aec on PATH")
    return path


def build_shared(source, aec=None, workdir=None, inference_only=False, target_cpu=None,
                 opt_level=None, model=None, stdlib=None, weight_format=None, cache=True):
    """Compiles `source` with --emit=shared; returns (library path, header path).
    cache=False: --no-cache (every part compiled, nothing kept)."""
    if not os.path.exists(source):
        raise FileNotFoundError(source)
    out_dir = workdir or tempfile.mkdtemp(prefix="aec-py-")
    os.makedirs(out_dir, exist_ok=True)
    stem = os.path.splitext(os.path.basename(source))[0]
    lib = os.path.join(out_dir, "lib%s.so" % stem)
    cmd = [find_compiler(aec), "build", source, "--emit=shared", "-o", lib]
    if inference_only:
        cmd.append("--inference-only")
    if weight_format:
        cmd += ["--weight-format", weight_format]
    if target_cpu:
        cmd += ["--target-cpu", target_cpu]
    if opt_level is not None:
        cmd.append("-O%d" % int(opt_level))
    if model:
        cmd += ["--model", model]
    if stdlib:
        cmd += ["--stdlib", stdlib]
    if not cache:
        cmd.append("--no-cache")
    run = subprocess.run(cmd, capture_output=True, text=True)
    if run.returncode != 0:
        raise AecError("aec build failed (exit %d):\n%s" % (run.returncode, run.stderr.strip()))
    # The header is named after the model, beside the library: the newest one.
    headers = [os.path.join(out_dir, f) for f in os.listdir(out_dir) if f.endswith(".h")]
    if not headers:
        raise AecError("aec build wrote no header in %s" % out_dir)
    return lib, max(headers, key=os.path.getmtime)


_DEFINE = re.compile(r"^#define (\w+) (-?\d+)\s*$")
_STRING_DEFINE = re.compile(r'^#define (\w+) "([^"]*)"\s*$')


def read_header(path):
    """The model's prefix, sizes and layers from the generated header."""
    defines, strings = {}, {}
    with open(path) as f:
        for line in f:
            m = _DEFINE.match(line)
            if m:
                defines[m.group(1)] = int(m.group(2))
            m = _STRING_DEFINE.match(line)
            if m:
                strings[m.group(1)] = m.group(2)
    prefix = os.path.splitext(os.path.basename(path))[0]
    get = lambda key: defines["%s_%s" % (prefix, key)]
    layers = {}
    tag = prefix + "_LAYER_"
    for key, value in defines.items():
        if key.startswith(tag) and not key.endswith("_SIZE"):
            name = key[len(tag):].lower()
            layers[name] = (value, defines[key + "_SIZE"])
    return {
        "prefix": prefix,
        "input_size": get("INPUT_SIZE"),
        "code_size": get("CODE_SIZE"),
        "output_size": get("OUTPUT_SIZE"),
        "max_batch": get("MAX_BATCH"),
        "inference_only": bool(get("INFERENCE_ONLY")),
        "weight_format": strings.get(prefix + "_WEIGHT_FORMAT", "f32"),  # older headers: f32
        "layers": dict(sorted(layers.items(), key=lambda kv: kv[1][0])),
    }
