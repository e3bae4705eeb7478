//===- Npy.cpp - NumPy .npy reader and writer -----------------------------===//
//
// Versions 1.0 (u16 header length) and 2.0/3.0 (u32), little-endian,
// C order. The header is a Python dict literal; we read the three keys.
//
//===----------------------------------------------------------------------===//

#include "Internal.h"

#include <cstring>

using namespace nnrt;

static const struct {
  const char *descr;
  nnrt_dtype dtype;
} npyTypes[] = {{"<f4", NNRT_F32}, {"<f8", NNRT_F64}, {"|u1", NNRT_U8},
                {"<u1", NNRT_U8},  {"<i4", NNRT_I32}, {"<i8", NNRT_I64}};

// The text after `'key':`, with spaces skipped; npos when absent.
static size_t findKey(const std::string &h, const char *key) {
  std::string k1 = std::string("'") + key + "'";
  size_t at = h.find(k1);
  if (at == std::string::npos)
    return at;
  at = h.find(':', at + k1.size());
  if (at == std::string::npos)
    return at;
  ++at;
  while (at < h.size() && h[at] == ' ')
    ++at;
  return at;
}

static Status parseHeader(const char *path, const std::string &h,
                          nnrt_dtype &dtype, Shape &shape) {
  size_t at = findKey(h, "descr");
  if (at == std::string::npos || at >= h.size() || h[at] != '\'')
    return nnrt_status_make("%s: npy header has no 'descr'", path);
  size_t end = h.find('\'', at + 1);
  std::string descr = h.substr(at + 1, end - at - 1);
  bool known = false;
  for (auto &t : npyTypes)
    if (descr == t.descr)
      dtype = t.dtype, known = true;
  if (!known) {
    if (!descr.empty() && descr[0] == '>')
      return nnrt_status_make("%s: big-endian dtype '%s' is not supported",
                              path, descr.c_str());
    return nnrt_status_make("%s: dtype '%s' is not supported (expected f32, "
                            "f64, u8, i32 or i64)",
                            path, descr.c_str());
  }
  at = findKey(h, "fortran_order");
  if (at == std::string::npos)
    return nnrt_status_make("%s: npy header has no 'fortran_order'", path);
  if (h.compare(at, 4, "True") == 0)
    return nnrt_status_make("%s: Fortran-ordered arrays are not supported "
                            "(save with np.ascontiguousarray)",
                            path);
  at = findKey(h, "shape");
  if (at == std::string::npos || h[at] != '(')
    return nnrt_status_make("%s: npy header has no 'shape'", path);
  end = h.find(')', at);
  if (end == std::string::npos)
    return nnrt_status_make("%s: bad 'shape' in the npy header", path);
  shape.clear();
  std::string dims = h.substr(at + 1, end - at - 1);
  const char *p = dims.c_str();
  while (*p) {
    while (*p == ' ' || *p == ',')
      ++p;
    if (!*p)
      break;
    char *q = nullptr;
    long long d = strtoll(p, &q, 10);
    if (q == p || d < 0)
      return nnrt_status_make("%s: bad 'shape' in the npy header", path);
    shape.push_back(d);
    p = q;
  }
  if (shape.size() > NNRT_MAX_RANK)
    return nnrt_status_make("%s: rank %zu is over the limit of %d", path,
                            shape.size(), NNRT_MAX_RANK);
  return nullptr;
}

Status nnrt::parseNpy(const char *path, const std::vector<uint8_t> &bytes,
                      Tensor &out) {
  if (bytes.size() < 10 || memcmp(bytes.data(), "\x93NUMPY", 6) != 0)
    return nnrt_status_make("%s: not a .npy file (bad magic)", path);
  int major = bytes[6];
  size_t headerLen, start;
  if (major == 1) {
    headerLen = bytes[8] | bytes[9] << 8;
    start = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12)
      return nnrt_status_make("%s: truncated npy header", path);
    headerLen =
        bytes[8] | bytes[9] << 8 | bytes[10] << 16 | (size_t)bytes[11] << 24;
    start = 12;
  } else {
    return nnrt_status_make("%s: npy version %d is not supported", path, major);
  }
  if (bytes.size() < start + headerLen)
    return nnrt_status_make("%s: truncated npy header", path);
  std::string header(bytes.begin() + start, bytes.begin() + start + headerLen);
  nnrt_dtype dtype = NNRT_F32;
  Shape shape;
  NNRT_TRY(parseHeader(path, header, dtype, shape));
  size_t have = bytes.size() - start - headerLen;
  NNRT_TRY(allocPayload(path, dtype, shape, have, out));
  memcpy(out.t.data, bytes.data() + start + headerLen, out.bytes());
  return nullptr;
}

extern "C" nnrt_status nnrt_npy_read(const char *path,
                                     nnrt_tensor *out_tensor) {
  return readTensorFile(path, parseNpy, out_tensor);
}

extern "C" nnrt_status nnrt_npy_write(const char *path,
                                      const nnrt_tensor *tensor) {
  const char *descr = "<f4";
  for (auto &t : npyTypes)
    if (t.dtype == tensor->dtype) {
      descr = t.descr;
      break;
    }
  std::string shape = "(";
  for (int i = 0; i < tensor->rank; ++i)
    shape += std::to_string(tensor->shape[i]) + (tensor->rank == 1      ? ","
                                                 : i + 1 < tensor->rank ? ", "
                                                                        : "");
  shape += ")";
  std::string header = std::string("{'descr': '") + descr +
                       "', 'fortran_order': False, 'shape': " + shape + ", }";
  // Pad so the data starts 64-byte aligned, as NumPy does.
  size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  uint8_t prefix[10] = {0x93,
                        'N',
                        'U',
                        'M',
                        'P',
                        'Y',
                        1,
                        0,
                        (uint8_t)(header.size() & 0xff),
                        (uint8_t)(header.size() >> 8)};
  size_t bytes = nnrt_tensor_numel(tensor) * nnrt_dtype_size(tensor->dtype);
  return writeFileAtomic(path, {{prefix, sizeof prefix},
                                {header.data(), header.size()},
                                {tensor->data, bytes}});
}
