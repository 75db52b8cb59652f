#!/usr/bin/env python3
"""Read the --validate block headers of a fileio file set from disk.

Usage: fileio-blocks.py DIR NUM FILE_SIZE BLOCK RUN_ID

Prints one line per block written by run RUN_ID (hex, as the JSON run_id):
"<block index in the set> <write sequence>".  The header format (all
little-endian): "OBF2", crc32 of bytes 8.., file, length, offset, run id,
sequence.  The CRC and the position fields are checked here too, so the
bytes on disk, not the program's report, are the evidence.
"""
import struct
import sys
import zlib

d, num, size, block, run = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5], 16)
per_file = (size + block - 1) // block
for f in range(num):
    with open(f"{d}/test_file.{f}", "rb") as fh:
        data = fh.read(size)
    for c in range(per_file):
        chunk = data[c * block:min((c + 1) * block, size)]
        if len(chunk) < 40 or chunk[:4] != b"OBF2":
            continue
        crc, fno, length, off, rid, seq = struct.unpack("<IIIQQQ", chunk[4:40])
        if crc != zlib.crc32(chunk[8:length]) or fno != f or off != c * block or length != len(chunk):
            print(f"bad header in file {f} block {c}", file=sys.stderr)
            sys.exit(1)
        if rid == run:
            print(f * per_file + c, seq)
