"""Writes a tiny, learnable 3-class data set of 4x4 images in every format
the runtime reads: IDX (gzip), CSV and .npy. Class c lights up row c.

usage: make_data.py OUTDIR [--train N] [--test N]
"""
import gzip
import os
import struct
import sys

import numpy as np


def idx(path, array, type_code=0x08):
    header = struct.pack(">BBBB", 0, 0, type_code, array.ndim)
    header += b"".join(struct.pack(">I", d) for d in array.shape)
    with gzip.open(path, "wb") as f:
        f.write(header + array.astype(array.dtype.newbyteorder(">")).tobytes())


def samples(n, seed):
    rng = np.random.default_rng(seed)
    labels = (np.arange(n) % 3).astype(np.uint8)
    images = rng.integers(0, 60, size=(n, 4, 4)).astype(np.uint8)
    for i, c in enumerate(labels):
        images[i, c, :] += 180
    return images, labels


def main():
    out = sys.argv[1]
    n_train = int(sys.argv[sys.argv.index("--train") + 1]) if "--train" in sys.argv else 61
    n_test = int(sys.argv[sys.argv.index("--test") + 1]) if "--test" in sys.argv else 24
    os.makedirs(out, exist_ok=True)
    x, y = samples(n_train, 1)
    tx, ty = samples(n_test, 2)
    idx(os.path.join(out, "train-images-idx3-ubyte.gz"), x)
    idx(os.path.join(out, "train-labels-idx1-ubyte.gz"), y)
    idx(os.path.join(out, "t10k-images-idx3-ubyte.gz"), tx)
    idx(os.path.join(out, "t10k-labels-idx1-ubyte.gz"), ty)
    xf = x.reshape(n_train, 16).astype(np.float32) / 255
    np.save(os.path.join(out, "x.npy"), xf)
    np.save(os.path.join(out, "y.npy"), y.astype(np.int64))
    np.save(os.path.join(out, "test_x.npy"), tx.reshape(n_test, 16).astype(np.float32) / 255)
    with open(os.path.join(out, "train.csv"), "w") as f:
        f.write(",".join("p%d" % i for i in range(16)) + ",label\n")
        for row, label in zip(xf, y):
            f.write(",".join("%.6f" % v for v in row) + ",%d\n" % label)


if __name__ == "__main__":
    main()
