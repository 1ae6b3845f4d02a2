#!/usr/bin/env python3
"""Checks that a table's CSV export keeps its numbers: pandas reads every
numeric column as numeric, and each value equals the full-precision value
the table holds (its to_json export), missing values as NaN.

    scripts/check_table_csv.py table.csv table.json [table2.csv table2.json ...]

Exits 1 with a message per difference.
"""
import json
import math
import sys

import pandas as pd


def check(csv_path, json_path):
    frame = pd.read_csv(csv_path, keep_default_na=True)
    with open(json_path) as f:
        records = json.load(f)
    problems = []
    if len(frame) != len(records):
        return [f"{csv_path}: {len(frame)} rows, the table has {len(records)}"]
    columns = list(records[0].keys()) if records else list(frame.columns)
    if list(frame.columns) != columns:
        problems.append(f"{csv_path}: columns {list(frame.columns)} != {columns}")
    for column in columns:
        values = [r[column] for r in records]
        numeric = all(v is None or isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)
        if numeric and any(v is not None for v in values):
            if not pd.api.types.is_numeric_dtype(frame[column]):
                problems.append(f"{csv_path}: column {column} read as {frame[column].dtype}, not numeric")
                continue
            for i, (got, want) in enumerate(zip(frame[column], values)):
                if want is None:
                    if not math.isnan(got):
                        problems.append(f"{csv_path}: {column}[{i}] = {got!r}, expected missing")
                elif float(got) != float(want):
                    problems.append(f"{csv_path}: {column}[{i}] = {float(got)!r}, the table holds {float(want)!r}")
    return problems


def main(paths):
    if len(paths) < 2 or len(paths) % 2:
        sys.exit(__doc__)
    problems = []
    for csv_path, json_path in zip(paths[::2], paths[1::2]):
        problems += check(csv_path, json_path)
    for p in problems:
        print(p)
    print(f"checked {len(paths) // 2} tables: {'ok' if not problems else f'{len(problems)} differences'}")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main(sys.argv[1:])
