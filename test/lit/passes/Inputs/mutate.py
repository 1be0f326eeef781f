"""Fuzz-ish robustness of the IR reader and of the passes behind it: mutants of
a valid .air file (truncations, deleted and duplicated lines, tokens swapped
for other tokens of the file, flipped bytes; a fixed seed) through `aec opt`,
alone and with PASSES. Each must exit 0 or 1 (a diagnostic), never crash, hang
or report an internal error.
usage: mutate.py AEC WORKDIR FILE.air PASSES COUNT [SEED]"""
import os, random, re, subprocess, sys

aec, work, path, passes, count = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
os.makedirs(work, exist_ok=True)
text = open(path).read()
lines = text.splitlines(keepends=True)
tokens = sorted(set(re.findall(r"[^\s,:\[\]()=]+|[,:\[\]()=]", text)))
rng = random.Random(int(sys.argv[6]) if len(sys.argv) > 6 else 6)


def mutants():
    for k in range(1, 21):
        yield "truncate", text[: len(text) * k // 21]
    while True:
        kind = rng.choice(["delete", "duplicate", "token", "token", "token", "byte"])
        if kind in ("delete", "duplicate"):
            i = rng.randrange(len(lines))
            yield kind, "".join(lines[:i] + ([lines[i]] * 2 if kind == "duplicate" else []) + lines[i + 1:])
        elif kind == "token":
            spans = [m.span() for m in re.finditer(r"[^\s,:\[\]()=]+", text)]
            a, b = rng.choice(spans)
            yield kind, text[:a] + rng.choice(tokens) + text[b:]
        else:
            i = rng.randrange(len(text))
            yield kind, text[:i] + chr(rng.randrange(1, 256)) + text[i + 1:]


bad = results = 0
seen = {}
for n, (kind, body) in enumerate(mutants()):
    if n >= count:
        break
    f = os.path.join(work, "m%d.air" % n)
    with open(f, "w", encoding="latin-1") as out:
        out.write(body)
    for args in ([], ["--passes=" + passes]):
        try:
            p = subprocess.run([aec, "opt", f] + args, capture_output=True, text=True,
                               errors="replace", timeout=20)
            rc, err = p.returncode, p.stderr
        except subprocess.TimeoutExpired:
            rc, err = "timeout", ""
        results += 1
        seen[rc] = seen.get(rc, 0) + 1
        if rc not in (0, 1) or "internal error" in err:
            bad += 1
            print("FAIL %s (%s) %s: exit %s\n%s" % (f, kind, " ".join(args), rc, err[-400:]))
print("%d runs: exit statuses %s, %d bad" % (results, sorted(seen.items(), key=str), bad))
sys.exit(1 if bad else 0)
