"""Rewrites a .aew checkpoint without its optimizer state (as an
inference-only session saves it). usage: strip_opt.py IN OUT"""
import struct, sys, zlib

b = open(sys.argv[1], "rb").read()
body = b[16:-4]
p = 8
n = struct.unpack_from("<I", body, p)[0]
p += 4 + n + 8 * 3 + 8 * 4 + 4 + 4
slots = struct.unpack_from("<i", body, p)[0]
out = bytearray(body[:p]) + struct.pack("<i", 0)
p += 4
nt = struct.unpack_from("<i", body, p)[0]
out += body[p:p + 4]
p += 4
for _ in range(nt):
    start = p
    n = struct.unpack_from("<I", body, p)[0]
    p += 4 + n
    rank = struct.unpack_from("<i", body, p)[0]
    p += 4 + 8 * rank
    size = struct.unpack_from("<q", body, p)[0]
    p += 8 + 4 * size
    out += body[start:p]
    p += 4 * size * slots
out += body[p:]
hdr = b[:8] + struct.pack("<Q", len(out))
open(sys.argv[2], "wb").write(hdr + out + struct.pack("<I", zlib.crc32(out) & 0xffffffff))
