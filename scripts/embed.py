#!/usr/bin/env python3
"""Writes a C file defining a byte array (NUL-terminated) and its length
from a file, so that the binary carries it: embed.py FILE SYMBOL > OUT.c"""
import sys

data = open(sys.argv[1], 'rb').read()
sym = sys.argv[2]
out = [f"/* Generated from {sys.argv[1]} by scripts/embed.py; do not edit. */",
       "#include <stddef.h>",
       f"const char {sym}[] = {{"]
for i in range(0, len(data), 16):
    out.append("\t" + "".join(f"{b},"for b in data[i:i + 16]))
out.append("\t0};")
out.append(f"const size_t {sym}_len = {len(data)};")
print("\n".join(out))
