"""Prints `png WxH` for a PNG file (plain Python). usage: png_size.py FILE"""
import struct, sys

b = open(sys.argv[1], "rb").read(32)
assert b[:8] == b"\x89PNG\r\n\x1a\n" and b[12:16] == b"IHDR", "not a PNG"
print("png %dx%d" % struct.unpack(">II", b[16:24]))
