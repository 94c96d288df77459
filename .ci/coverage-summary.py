"""Prints a line-coverage summary from JaCoCo's CSV report, overall and per package."""
import csv
import sys
from collections import defaultdict

path = sys.argv[1] if len(sys.argv) > 1 else "target/site/jacoco/jacoco.csv"
covered = defaultdict(int)
missed = defaultdict(int)
with open(path, newline="") as f:
    for row in csv.DictReader(f):
        pkg = row["PACKAGE"]
        covered[pkg] += int(row["LINE_COVERED"])
        missed[pkg] += int(row["LINE_MISSED"])
total_c, total_m = sum(covered.values()), sum(missed.values())
for pkg in sorted(covered):
    n = covered[pkg] + missed[pkg]
    print(f"{pkg:40s} {100.0 * covered[pkg] / n:5.1f}% of {n} lines")
print(f"{'TOTAL':40s} {100.0 * total_c / (total_c + total_m):5.1f}% of {total_c + total_m} lines")
