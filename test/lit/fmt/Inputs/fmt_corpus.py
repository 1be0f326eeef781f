"""Formats every example, stdlib and bench file: formatting must be idempotent
and a de-formatted copy (wrong indentation, doubled spaces and blank lines)
must format back to the formatted file. Examples and stdlib files must
already be fmt-clean (issue 11); bench files are checked for idempotence only,
so a new benchmark never blocks a landing (run `aec fmt` on them anyway).
Usage: fmt_corpus.py SRC_ROOT WORK_DIR"""
import glob, os, subprocess, sys

root, work = sys.argv[1], sys.argv[2]
os.makedirs(work, exist_ok=True)
files = sorted(glob.glob(f"{root}/examples/*.ae") + glob.glob(f"{root}/stdlib/**/*.ae", recursive=True)
               + glob.glob(f"{root}/bench/*.ae"))
bad = 0


def fmt(text):
    r = subprocess.run(["aec", "fmt", "-"], input=text.encode(), capture_output=True)
    if r.returncode != 0:
        raise SystemExit(f"aec fmt failed ({r.returncode}): {r.stderr.decode()}")
    return r.stdout.decode()


def deformat(text):
    """Wrong indentation, doubled spaces and blank lines, `[a,b]` spacing; lines
    with comments are left alone (trailing comments keep their source column)."""
    out = []
    for n, line in enumerate(text.split("\n")):
        if "//" in line or "/*" in line or "*/" in line:
            out.append(line)
            continue
        code = line.strip().replace(" ", "  ").replace(", ", ",")
        out.append(" " * (n % 5) + code + " " * (n % 2))
        if code == "":
            out.append("")
    return "\n".join(out)


for f in files:
    text = open(f, encoding="utf-8").read()
    once = fmt(text)
    if once != text and "/bench/" not in f:
        print(f"NOT CLEAN: {f} (run `aec fmt` on it)"); bad += 1
    if fmt(once) != once:
        print(f"NOT IDEMPOTENT: {f}"); bad += 1
    if fmt(deformat(once)) != once:
        print(f"DEFORMATTED DIFFERS: {f}"); bad += 1
    print(f"ok {os.path.relpath(f, root)}")
print(f"files: {len(files)} bad: {bad}")
sys.exit(1 if bad else 0)
