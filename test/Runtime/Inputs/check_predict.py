"""Compares `predict` output with the linear model x @ w + b in NumPy, using
the weights file the executable saved. usage: check_predict.py W X Y"""
import json
import struct
import sys

import numpy as np

data = open(sys.argv[1], "rb").read()
(n,) = struct.unpack("<Q", data[:8])
header = json.loads(data[8:8 + n])


def tensor(name):
    begin, end = header[name]["data_offsets"]
    return np.frombuffer(data[8 + n + begin:8 + n + end], np.float32).reshape(header[name]["shape"])


x = np.load(sys.argv[2]).astype(np.float32).reshape(-1, 16)
y = np.load(sys.argv[3])
want = x @ tensor("lin.w") + tensor("lin.b")
print("shape", y.shape, y.dtype, "maxdiff_ok", np.abs(y - want).max() < 1e-5)
