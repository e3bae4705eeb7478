"""Writes a model whose layers call each other DEPTH deep, each layer's body an
expression of NEST nested relu calls around the call of the next.

usage: nested_layers.py DEPTH NEST OUT.nn
"""
import sys

depth, nest, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
lines = []
for i in range(depth):
    inner = f"L{i + 1}(x)" if i + 1 < depth else "x"
    lines.append(f"layer L{i}(x: f32[N, 4]) -> f32[N, 4] {{\n"
                 f"  return {'relu(' * nest + inner + ')' * nest}\n}}\n")
lines.append("model M(x: f32[N, 4]) -> f32[N, 4] {\n  return L0(x)\n}\n")
with open(out, "w") as f:
    f.write("".join(lines))
