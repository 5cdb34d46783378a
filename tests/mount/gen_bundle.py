#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""gen_bundle.py FIXTURE OUT N [SEED]: a large, valid records bundle for the
crash-safety and load tests: FIXTURE (a bundle folder) copied to OUT, plus N
generated flows (and one generated source they cite) in its flows.csv and
sources.csv. The flows use only the fixture's systems, agencies, fields and
transactions, so the bundle imports cleanly onto an inventory of FIXTURE.
A different SEED gives different flows (same ids), for a re-import that
changes every flow."""
import csv
import shutil
import sys


def main():
    fixture, out, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    seed = int(sys.argv[4]) if len(sys.argv) > 4 else 0
    shutil.copytree(fixture, out)
    with open(f"{fixture}/systems.csv", newline="") as f:
        systems = [r["id"] for r in csv.DictReader(f)]
    with open(f"{fixture}/agencies.csv", newline="") as f:
        agencies = [r["id"] for r in csv.DictReader(f)]
    with open(f"{fixture}/fields.csv", newline="") as f:
        fields = [r["id"] for r in csv.DictReader(f)]
    with open(f"{fixture}/transactions.csv", newline="") as f:
        keys = [r["key"] for r in csv.DictReader(f)]
    states = ["AL", "AK", "AZ", "CA", "CO", "FL", "GA", "IL", "NY", "OR", "PR", "TX", "WA"]
    statuses = ["allowed", "blocked", "conditional", "reported"]
    with open(f"{out}/sources.csv", "a", newline="") as f:
        csv.writer(f, lineterminator="\n").writerow(
            ["generated", "Generated test source", "other", "2021-03-04", "", "", ""])
    with open(f"{out}/flows.csv", "a", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        for i in range(n):
            j = i + seed
            picked = [fields[(j + k) % len(fields)] for k in range(1 + j % 3)]
            w.writerow([
                f"generated-{i:06d}", f"{states[j % len(states)]}/{systems[j % len(systems)]}",
                agencies[j % len(agencies)], "Nlets", keys[j % len(keys)], ";".join(picked),
                statuses[j % len(statuses)], "", f"{2000 + j % 20}-{1 + j % 12:02d}", "",
                "generated", str(1 + j % 300),
                f"Generated flow {i} (seed {seed}): a quotation long enough that the "
                f"inventory grows by a few hundred bytes for every flow imported.",
            ])


if __name__ == "__main__":
    main()
