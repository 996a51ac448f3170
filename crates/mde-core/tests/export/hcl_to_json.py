"""Parses a Terraform file (stdin) with python-hcl2 and prints it as JSON (stdout) for the
Rust tests, with string literals decoded the way Terraform reads them.

python-hcl2 (8.x) keeps literals as written: '"a\\"b"'. Decoded here: the escapes, and
'$${' / '%%{' as the literal '${' / '%{'. An undoubled '${' or '%{' would be a template
evaluated by Terraform: this script fails on it, since the export writes none.
References ('${azurerm.sub1}') become {"ref": "azurerm.sub1"}.
"""

import json
import re
import sys

import hcl2  # python-hcl2; a missing module fails the Rust test, as it should


def decode(literal):
    body = literal[1:-1]
    out, i = [], 0
    while i < len(body):
        c = body[i]
        if c == "\\":
            n = body[i + 1]
            if n in "nrt":
                out.append({"n": "\n", "r": "\r", "t": "\t"}[n])
                i += 2
            elif n in "\"\\":
                out.append(n)
                i += 2
            elif n == "u":
                out.append(chr(int(body[i + 2 : i + 6], 16)))
                i += 6
            elif n == "U":
                out.append(chr(int(body[i + 2 : i + 10], 16)))
                i += 10
            else:
                raise ValueError(f"unknown escape \\{n} in {literal}")
        elif body.startswith("$${", i) or body.startswith("%%{", i):
            out.append(c + "{")
            i += 3
        elif body.startswith("${", i) or body.startswith("%{", i):
            raise ValueError(f"a template sequence in a string literal: {literal}")
        else:
            out.append(c)
            i += 1
    return "".join(out)


def normalise(value):
    if isinstance(value, dict):
        return {
            normalise(k) if k.startswith('"') else k: normalise(v)
            for k, v in value.items()
            if k not in ("__is_block__", "__comments__", "__inline_comments__")
        }
    if isinstance(value, list):
        return [normalise(v) for v in value]
    if isinstance(value, str):
        if len(value) >= 2 and value[0] == '"' and value[-1] == '"':
            return decode(value)
        ref = re.fullmatch(r"\$\{([A-Za-z0-9_.\-]+)\}", value)
        if ref:
            return {"ref": ref.group(1)}
        raise ValueError(f"neither a literal nor a reference: {value!r}")
    return value


json.dump(normalise(hcl2.loads(sys.stdin.read())), sys.stdout, indent=1, ensure_ascii=False)
