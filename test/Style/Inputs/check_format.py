"""Checks that every C and C++ source of the project is formatted as .clang-format says.

Usage: check_format.py SOURCE_ROOT CLANG_FORMAT
Prints the files clang-format would change (with its first complaint) and exits 1, or
prints `formatted: N files`.
"""
import os
import subprocess
import sys

root, clang_format = sys.argv[1], sys.argv[2]
SOURCES = ["compiler", "dialects", "runtime", "fuzz", "test"]
files = []
for top in SOURCES:
    for d, dirs, names in os.walk(os.path.join(root, top)):
        dirs[:] = sorted(x for x in dirs if x != "Output")
        files += [os.path.join(d, n) for n in sorted(names)
                  if n.endswith((".cpp", ".h", ".c")) and not n.endswith(".inc")]
bad = []
for f in files:
    r = subprocess.run([clang_format, "--dry-run", "--Werror", f], capture_output=True,
                       text=True)
    if r.returncode != 0:
        first = next((l for l in r.stderr.splitlines() if "error" in l), r.stderr.strip())
        bad.append(f"{os.path.relpath(f, root)}: {first}")
if bad:
    print("not formatted (run clang-format -i on them):")
    print("\n".join(bad))
    sys.exit(1)
print(f"formatted: {len(files)} files")
