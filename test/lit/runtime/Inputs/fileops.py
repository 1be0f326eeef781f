"""Small file utilities for the runtime lit tests.
  fileops.py flip FILE OFFSET          xor one byte (negative: from the end)
  fileops.py truncate FILE NBYTES      keep the first NBYTES
  fileops.py copy SRC DST
  fileops.py pnginfo FILE              prints `png WxH depth=D color=C`
  fileops.py npyinfo FILE              prints `npy <descr> <shape>`
  fileops.py decreasing LOG            checks the epoch losses in LOG decrease
  fileops.py same A B                  byte-identical files
  fileops.py differ A B                files differ
  fileops.py deadpid                   prints a pid no process has"""
import re, shutil, struct, sys

cmd, args = sys.argv[1], sys.argv[2:]
if cmd == "flip":
    data = bytearray(open(args[0], "rb").read())
    data[int(args[1])] ^= 0x55
    open(args[0], "wb").write(data)
elif cmd == "truncate":
    data = open(args[0], "rb").read()
    open(args[0], "wb").write(data[: int(args[1])])
elif cmd == "copy":
    shutil.copyfile(args[0], args[1])
elif cmd == "pnginfo":
    d = open(args[0], "rb").read()
    assert d[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG signature"
    assert d[12:16] == b"IHDR"
    w, h, depth, color = struct.unpack(">IIBB", d[16:26])
    print("png %dx%d depth=%d color=%d" % (w, h, depth, color))
elif cmd == "npyinfo":
    d = open(args[0], "rb").read()
    assert d[:6] == b"\x93NUMPY"
    n = struct.unpack("<H", d[8:10])[0]
    h = d[10 : 10 + n].decode()
    descr = re.search(r"'descr': '([^']*)'", h).group(1)
    shape = re.search(r"'shape': (\([^)]*\))", h).group(1)
    count = 1
    for v in re.findall(r"\d+", shape):
        count *= int(v)
    assert len(d) - 10 - n == count * 4, "data size does not match the shape"
    print("npy %s %s" % (descr, shape))
elif cmd == "decreasing":
    losses = [float(m) for m in re.findall(r"^epoch \d+/\d+ loss=(\S+)", open(args[0]).read(), re.M)]
    assert len(losses) >= 2, "fewer than two epoch lines"
    assert losses[-1] < losses[0] * 0.95, "loss did not decrease: %s" % losses
    print("decreasing %d epochs" % len(losses))
elif cmd in ("same", "differ"):
    eq = open(args[0], "rb").read() == open(args[1], "rb").read()
    if eq != (cmd == "same"):
        sys.exit("%s and %s are %s" % (args[0], args[1], "identical" if eq else "different"))
elif cmd == "deadpid":
    import os
    for pid in range(4000000, 1000000, -7919):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            print(pid)
            break
        except PermissionError:
            pass
else:
    sys.exit("unknown fileops command " + cmd)
