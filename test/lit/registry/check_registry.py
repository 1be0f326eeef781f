"""Registry coverage: every activation in runtime/include/aec/activations.def
has a gradient check (a lit test test/lit/codegen/gradcheck-*.ae using it, or
`Activation::Name` in the numeric unit tests) and a PyTorch row in
test/numerics/activation_ref.h; every layer-kind statement keyword of
layer_kinds.def, every loss, optimizer, noise and sparsity keyword is used by
some .ae lit test; every weight format but f32 is built by some .test. Prints what is missing and exits 1 if anything is.
usage: check_registry.py SRC_ROOT"""
import glob
import os
import re
import sys

root = sys.argv[1]
reg = os.path.join(root, "runtime", "include", "aec")


def rows(name, macro):
    text = open(os.path.join(reg, name)).read()
    return re.findall(r"^%s\((.*)\)\s*$" % macro, text, re.M)


def field(row, i):
    return [f.strip() for f in re.findall(r'"[^"]*"|[^,]+', row)][i].strip('"')


def read(paths):
    return "\n".join(open(p, errors="replace").read() for p in paths)


lit = os.path.join(root, "test", "lit")
all_ae = read(glob.glob(os.path.join(lit, "**", "*.ae"), recursive=True))
gradchecks = read(glob.glob(os.path.join(lit, "codegen", "gradcheck-*.ae")))
unit = read([os.path.join(root, "test", "unit", f) for f in ("codegen_test.cpp", "conv_test.cpp")])
torch = open(os.path.join(root, "test", "numerics", "activation_ref.h")).read()
words = lambda text: set(re.findall(r"[a-z_0-9]+", text))
ae_words, gc_words = words(all_ae), words(gradchecks)

missing = []
checked = 0
for r in rows("activations.def", "AEC_ACTIVATION"):
    checked += 1
    name, kw = field(r, 0), field(r, 2)
    if kw not in gc_words and "Activation::%s" % name not in unit:
        missing.append("activation `%s`: no gradient check (test/lit/codegen/gradcheck-*.ae)" % kw)
    if '{"%s",' % kw not in torch:
        missing.append("activation `%s`: no PyTorch row in test/numerics/activation_ref.h" % kw)
for r in rows("layer_kinds.def", "AEC_LAYER_KIND"):
    checked += 1
    if field(r, 3) == "1" and field(r, 2) not in ae_words:
        missing.append("layer kind `%s`: no .ae lit test uses it" % field(r, 2))
for name, macro, col in (("losses.def", "AEC_LOSS", 2), ("optimizers.def", "AEC_OPTIMIZER", 2),
                         ("noise_kinds.def", "AEC_NOISE", 1),
                         ("sparsity_kinds.def", "AEC_SPARSITY", 1)):
    for r in rows(name, macro):
        checked += 1
        kw = field(r, col)
        if kw != "none" and kw not in ae_words:
            missing.append("%s `%s`: no .ae lit test uses it" % (name[:-4], kw))
tests = read(glob.glob(os.path.join(lit, "**", "*.test"), recursive=True))
for r in rows("weight_formats.def", "AEC_WEIGHT_FORMAT"):
    checked += 1
    kw = field(r, 2)
    if kw != "f32" and not re.search(r"--weight-format[ =]%s\b" % kw, tests):
        missing.append("weight format `%s`: no lit test builds with --weight-format %s" % (kw, kw))
for m in missing:
    print(m)
print("registry coverage: %d rows, %d missing" % (checked, len(missing)))
sys.exit(1 if missing else 0)
