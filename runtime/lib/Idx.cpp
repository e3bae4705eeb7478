//===- Idx.cpp - the MNIST IDX format, gzip-compressed or not -------------===//

#include "Internal.h"

#include <cstring>

using namespace nnrt;

Status nnrt::parseIdx(const char *path, const std::vector<uint8_t> &bytes,
                      Tensor &out) {
  if (bytes.size() < 4 || bytes[0] != 0 || bytes[1] != 0)
    return nnrt_status_make("%s: not an IDX file (bad magic number)", path);
  nnrt_dtype dtype;
  switch (bytes[2]) {
  case 0x08:
    dtype = NNRT_U8;
    break;
  case 0x0C:
    dtype = NNRT_I32;
    break;
  case 0x0E:
    dtype = NNRT_F64;
    break;
  case 0x0D:
    dtype = NNRT_F32;
    break;
  default:
    return nnrt_status_make("%s: IDX element type 0x%02x is not supported "
                            "(expected u8, i32, f32 or f64)",
                            path, bytes[2]);
  }
  int rank = bytes[3];
  if (rank < 1 || rank > NNRT_MAX_RANK)
    return nnrt_status_make("%s: IDX rank %d is not supported (1 to %d)", path,
                            rank, NNRT_MAX_RANK);
  size_t header = 4 + 4 * (size_t)rank;
  if (bytes.size() < header)
    return nnrt_status_make("%s: truncated IDX header", path);
  Shape shape;
  for (int i = 0; i < rank; ++i) {
    const uint8_t *p = &bytes[4 + 4 * i];
    shape.push_back((int64_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3]);
  }
  size_t esize = nnrt_dtype_size(dtype);
  size_t have = bytes.size() - header;
  NNRT_TRY(allocPayload(path, dtype, shape, have, out));
  // IDX is big-endian.
  uint8_t *dst = out.as<uint8_t>();
  const uint8_t *src = bytes.data() + header;
  for (int64_t i = 0, numel = out.numel(); i < numel; ++i)
    for (size_t b = 0; b < esize; ++b)
      dst[i * esize + b] = src[i * esize + esize - 1 - b];
  return nullptr;
}

extern "C" nnrt_status nnrt_idx_read(const char *path,
                                     nnrt_tensor *out_tensor) {
  return readTensorFile(path, parseIdx, out_tensor);
}
