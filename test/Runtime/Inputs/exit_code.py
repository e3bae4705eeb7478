"""Runs the command given as arguments and prints 'exit N' (its exit code),
so tests can tell a clean failure (1) from a usage error (2) or a crash."""
import subprocess
import sys

print("exit", subprocess.run(sys.argv[1:]).returncode, flush=True)
