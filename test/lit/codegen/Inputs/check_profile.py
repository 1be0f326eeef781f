"""Checks a `train --profile` report: the rows' ms/step add up to the total,
the shares to 100%, and the total equals the header's ms per step."""
import re, sys

text = open(sys.argv[1]).read()
head = re.search(r"profile: (\d+) training steps, ([0-9.]+) ms and ([0-9.e+-]+) MFLOP per step", text)
assert head, "no profile header"
rows = re.findall(r"^  (\S.{15}) (.{9}) +([0-9.]+) +([0-9.]+)%", text, re.M)
body = [r for r in rows if r[0].strip() != "total"]
total = [r for r in rows if r[0].strip() == "total"]
assert body and len(total) == 1, rows
ms = sum(float(r[2]) for r in body)
share = sum(float(r[3]) for r in body)
assert abs(ms - float(total[0][2])) <= 1e-3 * len(body) + 1e-3 * ms, (ms, total)
assert abs(share - 100.0) <= 0.1 * len(body), share
assert abs(float(total[0][2]) - float(head.group(2))) <= 1e-3 + 1e-3 * ms, (total, head.group(2))
print(f"profile ok: {len(body)} rows, {head.group(3)} MFLOP per step")
