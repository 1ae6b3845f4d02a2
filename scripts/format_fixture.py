#!/usr/bin/env python3
"""Writes Tests/LangTests/Fixtures/format.tsv: Python's format(value, spec)
for a grid of values and specs, the reference for the language's f-strings
and format().

Every number in the language is a float, and a whole number below 2**53
formats as Python formats an int, except with a precision and no type (only
a float accepts that). So each whole value is given to Python as an int
unless the spec has that form. A spec Python rejects is recorded as !error.

Columns: kind (n: number, s: string), the value (repr for numbers), the spec,
Python's result. Tabs and newlines never occur in the values or results.
"""
import math
import os
import re

NUMBERS = [0.0, 1.0, -1.0, 7.0, 42.0, 65.0, 1234.0, -1234567.0, 1e6, 123456789.0, 2.0**53 + 2,
           0.5, -0.5, 2.5, 0.125, 0.1, 0.021, 3.14159265, -2.71828, 0.9431855500821018,
           1234.5678, -98765.4321, 99.995, 1e-5, 0.00012345, 1.5e-7, 6.02e23, 1e16, 1e300,
           5e-324, -0.0, -0.0004, float("inf"), float("-inf"), float("nan")]
STRINGS = ["", "a", "hello", "μ_g", "a longer piece of text"]
SPECS = ["", ".3f", ",", ",.2f", ".1%", ".0%", "%", "10", "<10", "^10", ">10", "*^12.2f",
         "+", " ", "+.2e", "e", "E", ".3e", "g", "G", ".3g", ".10g", "#.3g", ".3", ".1", ".12",
         "d", ",d", "_d", "x", "#x", "X", "#X", "#o", "b", "_b", "_x", "08.3f", "010,", "09,", "012,.2f",
         "=+10.2f", "-^9", "0=10.1f", "z.1f", "z.3g", "#.0f", "#.0e", ".0f", "12,.3f", "F", ".2F",
         "n", ".3n", "c", ">+8d", "08d", "08", "010.3", "s", ".2s", ">6s", "^7", "x<8", "0<6", "#g",
         ".2%", ",.1%", "+010.2%", ">12,", "_.3f", "020,.4e"]


def python_value(v, spec):
    integral = v == math.floor(v) and abs(v) < 2**53 if math.isfinite(v) else False
    precision_without_type = re.search(r"\.\d+$", spec) is not None
    if integral and not precision_without_type:
        return int(v)
    return v


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = os.path.join(here, "..", "Tests", "LangTests", "Fixtures", "format.tsv")
    rows = []
    for v in NUMBERS:
        for spec in SPECS:
            try:
                result = format(python_value(v, spec), spec)
            except (ValueError, TypeError, OverflowError):
                result = "!error"
            rows.append(("n", repr(v), spec, result))
    for s in STRINGS:
        for spec in SPECS:
            try:
                result = format(s, spec)
            except (ValueError, TypeError):
                result = "!error"
            rows.append(("s", s, spec, result))
    with open(out, "w", encoding="utf-8") as f:
        f.write("# kind\tvalue\tspec\tpython format(value, spec); written by scripts/format_fixture.py\n")
        for row in rows:
            f.write("\t".join(row) + "\n")
    print(f"wrote {len(rows)} cases to {os.path.relpath(out)}")


if __name__ == "__main__":
    main()
