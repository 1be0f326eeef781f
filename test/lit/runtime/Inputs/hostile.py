"""Hostile inputs for the runtime lit tests (issue 9, items 5 and 6).
  hostile.py npy_wrap FILE           shape (1, 2^60+1, 16): the product wraps to 16
  hostile.py npy_fake_shape FILE     a string value holding `'shape': (1, 16)`
  hostile.py scale SRC DST FACTOR    a float32 .npy with every value times FACTOR
  hostile.py ckpt SRC DST FIELD VAL  a checkpoint with one field changed, CRC fixed:
                                     lr, epoch, step (numbers), weight0 (nan),
                                     moment2 (Adam's first v value)
  hostile.py bomb FILE MB            gzip of MB megabytes of zeros
  hostile.py idx_bomb FILE MB        gzip: IDX header for 64 samples of 16 bytes, then MB of zeros
  hostile.py idx_claim FILE          gzip: IDX header claiming 2^32 x 2^16 x 16 bytes, 1 KB of data"""
import gzip, struct, sys, zlib

cmd, args = sys.argv[1], sys.argv[2:]


def npy(header, data):
    h = header.encode()
    h += b" " * ((64 - (10 + len(h) + 1) % 64) % 64) + b"\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(h)) + h + data


if cmd == "npy_wrap":
    open(args[0], "wb").write(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1, %d, 16), }" % (2**60 + 1),
                                  struct.pack("<16f", *([0.5] * 16))))
elif cmd == "npy_fake_shape":
    hdr = "{'descr': '<f4', 'fortran_order': False, 'note': \"'shape': (1, 16), \", 'shape': (2, 8), }"
    open(args[0], "wb").write(npy(hdr, struct.pack("<16f", *([0.5] * 16))))
elif cmd == "scale":
    d = open(args[0], "rb").read()
    n = struct.unpack("<H", d[8:10])[0]
    head, body = d[: 10 + n], d[10 + n :]
    vals = struct.unpack("<%df" % (len(body) // 4), body)
    open(args[1], "wb").write(head + struct.pack("<%df" % len(vals), *[v * float(args[2]) for v in vals]))
elif cmd == "ckpt":
    d = bytearray(open(args[0], "rb").read())
    field, val = args[2], args[3]
    body = d[16:-4]
    p = 8
    name_len = struct.unpack_from("<I", body, p)[0]
    p += 4 + name_len
    off = {"step": p, "epoch": p + 8, "lr": p + 8 + 8 + 8 + 32}
    if field in ("step", "epoch"):
        struct.pack_into("<q", body, off[field], int(val))
    elif field == "lr":
        struct.pack_into("<f", body, off["lr"], float(val))
    else:
        q = off["lr"] + 4
        slots = struct.unpack_from("<i", body, q + 4)[0]
        q += 12  # optimizer, slots, tensor count
        tn = struct.unpack_from("<I", body, q)[0]
        q += 4 + tn
        rank = struct.unpack_from("<i", body, q)[0]
        q += 4 + 8 * rank
        size = struct.unpack_from("<q", body, q)[0]
        q += 8
        if field == "weight0":
            struct.pack_into("<f", body, q, float("nan"))
        else:  # moment2: slot 1 of the first tensor
            assert slots >= 2, "no second moment stored"
            struct.pack_into("<f", body, q + 4 * size * 2, float(val))
    d[16:-4] = body
    d[-4:] = struct.pack("<I", zlib.crc32(bytes(body)) & 0xFFFFFFFF)
    open(args[1], "wb").write(bytes(d))
elif cmd == "bomb":
    with gzip.open(args[0], "wb", compresslevel=9) as f:
        chunk = b"\0" * (1 << 20)
        for _ in range(int(args[1])):
            f.write(chunk)
elif cmd in ("idx_bomb", "idx_claim"):
    dims = (64, 16) if cmd == "idx_bomb" else (0xFFFFFFFF, 65536, 16)
    head = bytes([0, 0, 0x08, len(dims)]) + b"".join(struct.pack(">I", d) for d in dims)
    with gzip.open(args[0], "wb", compresslevel=9) as f:
        f.write(head)
        if cmd == "idx_bomb":
            chunk = b"\0" * (1 << 20)
            for _ in range(int(args[1])):
                f.write(chunk)
        else:
            f.write(b"\1" * 1024)
else:
    sys.exit("unknown hostile command " + cmd)
