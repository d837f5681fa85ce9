#!/usr/bin/env python3
"""Searches everything the end-to-end suites made creditref print on stderr
(and on stdout, for commands that do not address personal data to an
authorized reader), and the reason and detail of every audit entry of the
API suites' stores (apiserver.audit_texts), for identifiers in the clear:
any valid 18-character resident ID, any such ID cut by its last character
(17 digits), any mainland mobile number, any account number from the
fixtures.  IDs must show as 110105********002X."""
import glob
import os
import re
import sys

W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
C = "10X98765432"


def valid_id(s):
    return C[sum(int(s[i]) * W[i] for i in range(17)) % 11] == s[17].upper()


# An identifier stands apart from letters and digits: a run of digits
# inside a key's token, a key id or a hash (hex or base64 text, which the
# suites print) is part of that word, not a phone number or an ID.
ALONE_B = r"(?<![0-9A-Za-z])"
ALONE_A = r"(?![0-9A-Za-z])"


def main(log):
    text = open(log, encoding="utf-8", errors="replace").read()
    leaks = [m for m in re.findall(ALONE_B + r"[0-9]{17}[0-9Xx]" + ALONE_A, text) if valid_id(m)]
    leaks += re.findall(ALONE_B + r"[0-9]{17}" + ALONE_A, text)
    leaks += re.findall(ALONE_B + r"1[3-9][0-9]{9}" + ALONE_A, text)
    here = os.path.dirname(os.path.abspath(__file__))
    accounts = set()
    for f in glob.glob(os.path.join(here, "fixtures", "*.jsonl")):
        accounts.update(re.findall(r'"account":"([^"]+)"', open(f, encoding="utf-8").read()))
    leaks += [a for a in accounts if a in text]
    masked = len(re.findall(r"[0-9]{6}\*{8}[0-9]{3}[0-9X]", text))
    print(f"masking: searched {len(text)} bytes of output, {masked} masked IDs seen")
    if leaks:
        print(f"masking: {len(leaks)} identifiers in the clear, e.g. {sorted(set(leaks))[:5]}")
        print("masking: 0 passed, 1 failed")
        return 1
    print("masking: 1 passed, 0 failed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
