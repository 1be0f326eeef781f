"""Registry coverage: every diagnostic kind in compiler/diag/DiagnosticKinds.def
must be exercised by at least one lit test that says so with a comment
`// DIAG: KindName` (or `# DIAG: KindName` in .test files) next to its RUN
line. Prints the kinds no test claims and exits 1 if there are any.
usage: check_kinds.py SRC_ROOT"""
import os
import re
import sys

# Kinds that no lit test can trigger, each with the reason.
WHITELIST = {
    "NoteGeneric": "a note, never reported on its own kind",
    "LayerArgMissing": "the parser (compiler/parse/LayerShape.cpp) reports a missing size "
                       "or kernel first; sema keeps the check for ASTs built by other means "
                       "(test/unit/sema_test.cpp covers it)",
    "LayerArgUnexpected": "the parser reports an argument a layer kind does not take first; "
                          "sema keeps the check (test/unit/sema_test.cpp covers it)",
}

root = sys.argv[1]
defs = open(os.path.join(root, "compiler", "diag", "DiagnosticKinds.def")).read()
kinds = re.findall(r"^\s*DIAG\(\s*(\w+)\s*,", defs, re.M)
claimed = set()
lit = os.path.join(root, "test", "lit")
for dirpath, _, files in os.walk(lit):
    if os.path.basename(dirpath) == "diag-registry":
        continue  # this test's own text mentions `DIAG: KindName`
    for f in files:
        try:
            text = open(os.path.join(dirpath, f), errors="replace").read()
        except OSError:
            continue
        claimed.update(re.findall(r"(?://|#)\s*DIAG:\s*(\w+)", text))
missing = [k for k in kinds if k not in claimed and k not in WHITELIST]
unknown = sorted(k for k in claimed if k not in kinds)
for k in missing:
    print("untested diagnostic kind: %s" % k)
for k in unknown:
    print("a test claims `DIAG: %s`, which is not in DiagnosticKinds.def" % k)
print("%d kinds, %d claimed by tests, %d whitelisted, %d missing"
      % (len(kinds), len([k for k in kinds if k in claimed]), len(WHITELIST), len(missing)))
sys.exit(1 if missing or unknown else 0)
