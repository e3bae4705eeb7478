"""Prints the manifest nnc embeds in an LLVM IR module (stdin): its
top-level keys in order, then each key with its value as compact JSON
(sorted keys), after checking that it is one JSON object."""
import json
import re
import sys

ir = sys.stdin.read()
text = re.search(r'@nnc_manifest = .*?c"(.*)\\00"', ir).group(1)
raw = re.sub(rb"\\([0-9A-F]{2})", lambda m: bytes([int(m.group(1), 16)]),
             text.encode("latin-1"))
manifest = json.loads(raw.decode("utf-8"), object_pairs_hook=dict)
print("keys", " ".join(manifest))
for key, value in manifest.items():
    print(key, json.dumps(value, sort_keys=True, ensure_ascii=False))
