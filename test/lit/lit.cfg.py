# lit configuration: `aec`, `FileCheck` and `not` on PATH; %stdlib, %examples.
import os
import lit.formats

config.name = "aec"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".ae", ".test", ".c", ".sh"]
config.excludes = ["Inputs", "lit.cfg.py", "lit.site.cfg.py.in"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.aec_obj_root, "test", "lit")

llvm_bin = os.path.dirname(config.filecheck)
config.environment["PATH"] = os.pathsep.join(
    [config.aec_bin_dir, llvm_bin, config.environment.get("PATH", os.environ.get("PATH", ""))])
for var in ["HOME", "TMPDIR", "ASAN_OPTIONS", "UBSAN_OPTIONS", "AEC_FMNIST_DIR"]:
    if var in os.environ:
        config.environment[var] = os.environ[var]

# The object cache of the builds the tests run: this build tree's, never the
# user's (scripts/test.sh empties it first).
config.environment["AEC_CACHE_DIR"] = os.path.join(config.aec_obj_root, "test-cache")

config.substitutions.append(("%src_root", config.aec_src_root))
config.substitutions.append(("%stdlib", os.path.join(config.aec_src_root, "stdlib")))
config.substitutions.append(("%examples", os.path.join(config.aec_src_root, "examples")))
config.substitutions.append(("%aec_lib_dir", config.aec_lib_dir))
config.substitutions.append(("%aec_bin_dir", config.aec_bin_dir))
# Debian's python3, which has the apt packages (python3-numpy, -torch, -onnx),
# even where another python3 comes first on PATH.
import sys
config.substitutions.append(
    ("%python", "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable))

# Tests that need Fashion-MNIST (Debian's dataset-fashion-mnist) say REQUIRES: fmnist.
if os.path.exists("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz"):
    config.available_features.add("fmnist")

# issue 7: PyTorch parity tests say REQUIRES: torch and run %python.
import subprocess
_probe = "import importlib.util as u, sys; sys.exit(0 if u.find_spec('torch') and u.find_spec('numpy') else 1)"
_py = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable
try:
    if subprocess.run([_py, "-c", _probe], capture_output=True).returncode == 0:
        config.available_features.add("torch")
except OSError:
    pass

# Kernel vector widths this CPU can run, as `name=target-cpu` for `aec build
# --target-cpu` (test/lit/widths runs its checks once per width; the others
# are skipped). Overridable with AEC_VECTOR_WIDTHS.
def _vector_widths():
    try:
        with open("/proc/cpuinfo") as f:
            flags = set(next((l for l in f if l.startswith("flags")), "").split())
    except OSError:
        flags = set()
    found = ["sse=x86-64"]
    if {"avx2", "fma", "bmi2", "f16c", "movbe"} <= flags:
        found.append("avx2=x86-64-v3")
        if {"avx512f", "avx512bw", "avx512cd", "avx512dq", "avx512vl"} <= flags:
            found.append("avx512=x86-64-v4")
    return " ".join(found)

config.environment["AEC_VECTOR_WIDTHS"] = os.environ.get("AEC_VECTOR_WIDTHS") or _vector_widths()
lit_config.note("vector widths tested: " + " ".join(
    w.split("=")[0] for w in config.environment["AEC_VECTOR_WIDTHS"].split()))

# The editor tests that drive a real client (issue 11) say REQUIRES: nvim.
import shutil
if shutil.which("nvim"):
    config.available_features.add("nvim")

# Distributed tests need OpenMPI's launcher and an aec built with MPI
# (libaec_runtime_mpi.a). mpirun refuses root unless told; CI runs as root.
if shutil.which("mpirun") and os.path.exists(os.path.join(config.aec_lib_dir, "libaec_runtime_mpi.a")):
    config.available_features.add("mpi")
    config.environment["OMPI_ALLOW_RUN_AS_ROOT"] = "1"
    config.environment["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1"
    # Loopback only, no warnings about missing high-speed networks.
    config.environment["OMPI_MCA_btl"] = "self,vader,tcp"
    config.environment["OMPI_MCA_btl_tcp_if_include"] = "lo"
    config.environment["OMPI_MCA_oob_tcp_if_include"] = "lo"
    config.environment["OMPI_MCA_pml"] = "ob1"
    config.substitutions.append(("%mpirun", "mpirun -np 2 --oversubscribe --bind-to none"))

# Install and packaging tests (test/lit/install) need cmake and pkg-config.
import shutil
config.substitutions.append(("%aec_obj_root", config.aec_obj_root))
for tool in ["cmake", "pkg-config"]:
    if shutil.which(tool):
        config.available_features.add(tool)

# Interop tests need numpy, onnx or pytest in that python (found, not imported).
for module in ["numpy", "onnx", "pytest"]:
    _spec = "import importlib.util as u, sys; sys.exit(0 if u.find_spec('%s') else 1)" % module
    try:
        if subprocess.run([_py, "-c", _spec], capture_output=True).returncode == 0:
            config.available_features.add(module)
    except OSError:
        pass
