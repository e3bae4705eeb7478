"""Writes OUT: Inputs/classifier.manifest with the Python statements CODE
run on it as `m` (a dict), for manifest.test's broken manifests.

    edit_manifest.py OUT CODE
"""
import json
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "classifier.manifest")) as f:
    m = json.load(f)
exec(sys.argv[2])
with open(sys.argv[1], "w") as f:
    json.dump(m, f, indent=1)
