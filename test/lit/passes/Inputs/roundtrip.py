"""The IR text round trip on real graphs: for every model file given, at every
pipeline stage (AEC_PRINT_IR_AFTER=all), training and --inference-only:
  1. `aec opt stage.air` prints the stage back unchanged (print -> parse -> print);
  2. `aec opt --pass=P before.air` prints exactly what the pipeline's pass P made
     (the text carries everything the passes read).
usage: roundtrip.py AEC WORKDIR FILE.ae...   Prints a line per file; exit 1 on a difference."""
import os, re, subprocess, sys

aec, work, files = sys.argv[1], sys.argv[2], sys.argv[3:]
os.makedirs(work, exist_ok=True)
bad = checked = 0


def stages(path, model, extra):
    env = dict(os.environ, AEC_PRINT_IR_AFTER="all")
    p = subprocess.run([aec, "build", path, "--model", model, "--emit=ir", "-o", "/dev/null"] + extra,
                       env=env, capture_output=True, text=True)
    if p.returncode != 0:
        return None, p.stderr.strip().splitlines()[-1:]
    parts = re.split(r"^; after (\w+)\n", p.stderr, flags=re.M)
    return [(parts[i], parts[i + 1]) for i in range(1, len(parts), 2)], None


def opt(text, name, passes):
    f = os.path.join(work, name + ".air")
    with open(f, "w") as out:
        out.write(text)
    p = subprocess.run([aec, "opt", f] + ["--pass=" + q for q in passes],
                       capture_output=True, text=True)
    return p.stdout if p.returncode == 0 else "exit %d: %s" % (p.returncode, p.stderr)


models = [(path, m) for path in files
          for m in re.findall(r"^\s*model\s+(\w+)", open(path).read(), re.M)]
for path, model in models:
    for extra in ([], ["--inference-only"]):
        got, err = stages(path, model, extra)
        tag = "%s:%s%s" % (os.path.basename(path), model, " (inference)" if extra else "")
        if got is None:
            bad += 1
            print("FAIL %s: %s" % (tag, err))
            continue
        for i, (stage, text) in enumerate(got):
            name = "%s.%s.%s%s" % (os.path.basename(path), model, stage, ".inf" if extra else "")
            checked += 1
            if opt(text, name, []) != text:
                bad += 1
                print("FAIL %s after %s: print -> parse -> print differs" % (tag, stage))
            if i > 0:
                if opt(got[i - 1][1], name + ".in", [stage]) != text:
                    bad += 1
                    print("FAIL %s: --pass=%s on the IR after %s differs from the pipeline"
                          % (tag, stage, got[i - 1][0]))
        print("ok %s: %s" % (tag, " ".join(s for s, _ in got)))
print("%d stages checked, %d differences" % (checked, bad))
sys.exit(1 if bad or checked == 0 else 0)
