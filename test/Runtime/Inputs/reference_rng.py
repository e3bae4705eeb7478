"""The runtime's random streams written from docs/runtime.md alone, to check
that the C++ matches the documented recipe bit for bit.

usage: reference_rng.py init NAME SEED COUNT KIND [key=value ...]
       reference_rng.py shuffle N SEED EPOCH
"""
import math
import sys

import numpy as np

M = (1 << 64) - 1
GOLDEN = 0x9E3779B97F4A7C15


def mix64(z):
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M
    return z ^ (z >> 31)


def fnv1a(s):
    h = 0xcbf29ce484222325
    for c in s.encode():
        h = ((h ^ c) * 0x100000001b3) & M
    return h


class Rng:
    def __init__(self, seed, name):
        self.state = fnv1a(name) ^ mix64((seed + GOLDEN) & M)

    def next(self):
        self.state = (self.state + GOLDEN) & M
        return mix64(self.state)

    def uniform(self):
        return (self.next() >> 40) / 16777216.0

    def normal(self):
        u1, u2 = self.uniform(), self.uniform()
        return math.sqrt(-2.0 * math.log(1.0 - u1)) * math.cos(2.0 * math.pi * u2)

    def below(self, bound):
        return (self.next() * bound) >> 64


def init(name, seed, count, kind, args):
    rng = Rng(seed, name)
    fi, fo = args.get("fan_in", 0), args.get("fan_out", 0)
    uniform = {"glorot_uniform": lambda: math.sqrt(6 / (fi + fo)),
               "he_uniform": lambda: math.sqrt(6 / fi),
               "lecun_uniform": lambda: math.sqrt(3 / fi)}
    for _ in range(count):
        if kind == "uniform":
            v = args["lo"] + (args["hi"] - args["lo"]) * rng.uniform()
        elif kind == "normal":
            v = args["mean"] + args["std"] * rng.normal()
        elif kind == "he_normal":
            v = math.sqrt(2 / fi) * rng.normal()
        else:
            limit = uniform[kind]()
            v = -limit + 2 * limit * rng.uniform()
        print("%.9g" % float(np.float32(v)))


def main():
    if sys.argv[1] == "init":
        args = {k: float(v) for k, v in (a.split("=") for a in sys.argv[6:])}
        init(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5], args)
    else:
        n, seed, epoch = map(int, sys.argv[2:5])
        order = list(range(n))
        rng = Rng(seed, "shuffle.%d" % epoch)
        for i in range(n - 1, 0, -1):
            j = rng.below(i + 1)
            order[i], order[j] = order[j], order[i]
        print("\n".join(map(str, order)))


main()
