//===- Tensor.cpp - host tensors and memref descriptors -------------------===//

#include "Internal.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>

using namespace nnrt;

extern "C" size_t nnrt_dtype_size(nnrt_dtype dtype) {
  switch (dtype) {
  case NNRT_F32:
  case NNRT_I32:
    return 4;
  case NNRT_F64:
  case NNRT_I64:
    return 8;
  case NNRT_U8:
    return 1;
  }
  return 1;
}

extern "C" const char *nnrt_dtype_name(nnrt_dtype dtype) {
  switch (dtype) {
  case NNRT_F32:
    return "f32";
  case NNRT_F64:
    return "f64";
  case NNRT_I32:
    return "i32";
  case NNRT_I64:
    return "i64";
  case NNRT_U8:
    return "u8";
  }
  return "?";
}

extern "C" int64_t nnrt_tensor_numel(const nnrt_tensor *tensor) {
  int64_t n = 1;
  for (int32_t i = 0; i < tensor->rank; ++i)
    n *= tensor->shape[i];
  return n;
}

int64_t nnrt::checkedNumel(const Shape &shape) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0 || (d > 0 && n > INT64_MAX / 4 / d))
      return -1;
    n *= d;
  }
  return n;
}

std::string nnrt::formatShape(const Shape &shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i)
      s += ",";
    s += shape[i] < 0 ? "N" : std::to_string(shape[i]);
  }
  return s + "]";
}

Status nnrt::allocPayload(const char *path, nnrt_dtype dtype,
                          const Shape &shape, size_t have, Tensor &out) {
  size_t esize = nnrt_dtype_size(dtype);
  int64_t numel = checkedNumel(shape);
  // Compare before allocating: a corrupt header must not ask for terabytes.
  if (numel < 0)
    return nnrt_status_make("%s: the header's shape %s is too large", path,
                            formatShape(shape).c_str());
  // numel is below 2^61 (checkedNumel), so the byte count fits a size_t.
  if ((size_t)numel > have / esize)
    return nnrt_status_make("%s: truncated: %s %s needs %zu bytes of data, "
                            "the file has %zu",
                            path, nnrt_dtype_name(dtype),
                            formatShape(shape).c_str(), (size_t)numel * esize,
                            have);
  if ((size_t)numel * esize != have)
    return nnrt_status_make("%s: %zu unexpected bytes after the %s data", path,
                            have - numel * esize, formatShape(shape).c_str());
  return out.alloc(dtype, shape);
}

extern "C" nnrt_status nnrt_tensor_alloc(nnrt_dtype dtype, int32_t rank,
                                         const int64_t *shape,
                                         nnrt_tensor *out_tensor) {
  *out_tensor = nnrt_tensor{};
  if (rank < 0 || rank > NNRT_MAX_RANK)
    return nnrt_status_make("tensor rank %d is over the limit of %d", rank,
                            NNRT_MAX_RANK);
  Shape s(shape, shape + rank);
  int64_t n = checkedNumel(s);
  if (n < 0)
    return nnrt_status_make("tensor shape %s is invalid or too large",
                            formatShape(s).c_str());
  size_t bytes = (size_t)n * nnrt_dtype_size(dtype);
  void *p = calloc(bytes ? bytes : 1, 1);
  if (!p)
    return nnrt_status_make("out of memory allocating %zu bytes for %s", bytes,
                            formatShape(s).c_str());
  out_tensor->dtype = dtype;
  out_tensor->rank = rank;
  for (int32_t i = 0; i < rank; ++i)
    out_tensor->shape[i] = shape[i];
  out_tensor->data = out_tensor->allocation = p;
  return nullptr;
}

extern "C" void nnrt_tensor_free(nnrt_tensor *tensor) {
  free(tensor->allocation);
  *tensor = nnrt_tensor{};
}

extern "C" size_t nnrt_memref_words(int32_t rank) { return 3 + 2 * rank; }

extern "C" void nnrt_memref_describe(const nnrt_tensor *t, int64_t *w) {
  w[0] = (int64_t)(intptr_t)t->allocation;
  w[1] = (int64_t)(intptr_t)t->data;
  w[2] = 0;
  int64_t stride = 1;
  for (int32_t i = t->rank - 1; i >= 0; --i) {
    w[3 + i] = t->shape[i];
    w[3 + t->rank + i] = stride;
    stride *= t->shape[i];
  }
}

// Copies a strided view into a fresh contiguous tensor.
static void copyStrided(const char *base, const int64_t *sizes,
                        const int64_t *strides, int rank, size_t esize,
                        char *&dst) {
  if (rank == 0) {
    memcpy(dst, base, esize);
    dst += esize;
    return;
  }
  for (int64_t i = 0; i < sizes[0]; ++i)
    copyStrided(base + i * strides[0] * (int64_t)esize, sizes + 1, strides + 1,
                rank - 1, esize, dst);
}

static bool isContiguous(const int64_t *sizes, const int64_t *strides,
                         int rank) {
  int64_t expect = 1;
  for (int i = rank - 1; i >= 0; --i) {
    if (sizes[i] != 1 && strides[i] != expect)
      return false;
    expect *= sizes[i];
  }
  return true;
}

// An aliased or strided device result, copied into a fresh device buffer
// through the host. Generated code returns fresh contiguous buffers, so this
// only keeps the runtime correct if it ever does not.
static Status copyDeviceResult(const char *first, const int64_t *sizes,
                               const int64_t *strides, int rank,
                               nnrt_dtype dtype, Tensor &out) {
  Tensor host;
  NNRT_TRY(host.alloc(dtype, Shape(sizes, sizes + rank)));
  if (host.numel() > 0) {
    int64_t span = 1; // elements from the first to the last one viewed
    for (int i = 0; i < rank; ++i) {
      if (strides[i] < 0)
        return nnrt_status_make("a device result has a negative stride");
      span += (sizes[i] - 1) * strides[i];
    }
    size_t esize = nnrt_dtype_size(dtype);
    std::vector<char> raw(span * esize);
    NNRT_TRY(copyToHost(raw.data(), first, raw.size()));
    char *dst = host.as<char>();
    copyStrided(raw.data(), sizes, strides, rank, esize, dst);
  }
  out = std::move(host);
  return moveTo(out, Place::Device);
}

Status nnrt::callEntry(const char *entry, nnrt_entry_fn fn,
                       const std::vector<const nnrt_tensor *> &args,
                       const std::vector<const TensorSpec *> &resultSpecs,
                       std::vector<Tensor> &results, Place where,
                       bool updatesInPlace) {
  if (!fn)
    return nnrt_status_make("the model has no %s entry point", entry);
  size_t argWords = 0, resultWords = 0;
  for (const nnrt_tensor *a : args)
    argWords += nnrt_memref_words(a->rank);
  for (const TensorSpec *r : resultSpecs)
    resultWords += nnrt_memref_words((int32_t)r->shape.size());
  std::vector<int64_t> words(argWords + resultWords, 0);
  std::vector<void *> ptrs;
  ptrs.push_back(words.data() + argWords);
  int64_t *w = words.data();
  for (const nnrt_tensor *a : args) {
    nnrt_memref_describe(a, w);
    ptrs.push_back(w);
    w += nnrt_memref_words(a->rank);
  }
  fn(ptrs.data());
  if (where == Place::Device)
    NNRT_TRY(cudaCheck());

  // Results are fresh malloc'ed buffers or arguments updated in place;
  // anything else that aliases an argument or an earlier result is copied so
  // that each buffer has one owner.
  std::vector<void *> seen;
  for (const nnrt_tensor *a : args)
    seen.push_back(a->allocation);
  results.clear();
  for (const TensorSpec *spec : resultSpecs) {
    int rank = (int)spec->shape.size();
    void *alloc = (void *)(intptr_t)w[0];
    char *aligned = (char *)(intptr_t)w[1];
    const int64_t *sizes = w + 3, *strides = w + 3 + rank;
    size_t esize = nnrt_dtype_size(spec->dtype);
    char *first = aligned + w[2] * (int64_t)esize;
    w += nnrt_memref_words(rank);
    Tensor t;
    bool aliased = false;
    for (void *p : seen)
      aliased |= p == alloc;
    const nnrt_tensor *updated = nullptr;
    for (const nnrt_tensor *a : args)
      if (updatesInPlace && a->allocation == alloc && a->data == first &&
          a->rank == rank && std::equal(sizes, sizes + rank, a->shape) &&
          isContiguous(sizes, strides, rank))
        updated = a;
    if (updated) {
      t.t = *updated;
      t.t.allocation = nullptr; // the argument's owner keeps the buffer
      t.place = where;
    } else if (!aliased && isContiguous(sizes, strides, rank)) {
      t.t.dtype = spec->dtype;
      t.t.rank = rank;
      for (int i = 0; i < rank; ++i)
        t.t.shape[i] = sizes[i];
      t.t.data = first;
      t.t.allocation = alloc;
      t.place = where;
    } else if (where == Place::Device) {
      NNRT_TRY(copyDeviceResult(first, sizes, strides, rank, spec->dtype, t));
      if (!aliased)
        deviceFree(alloc);
    } else {
      NNRT_TRY(t.alloc(spec->dtype, Shape(sizes, sizes + rank)));
      char *dst = t.as<char>();
      copyStrided(first, sizes, strides, rank, esize, dst);
      if (!aliased)
        free(alloc);
    }
    seen.push_back(alloc);
    results.push_back(std::move(t));
  }
  return nullptr;
}

Status nnrt::adoptResults(const std::vector<Tensor *> &owners,
                          std::vector<Tensor> &results, size_t first) {
  auto isView = [](const Tensor &t) { return !t.t.allocation && t.t.data; };
  // Copies first: a view may see a buffer that an earlier owner gives up.
  for (size_t i = 0; i < owners.size(); ++i) {
    Tensor &r = results[first + i];
    if (isView(r) && r.t.data != owners[i]->t.data) {
      Tensor copy;
      NNRT_TRY(copyTo(r, r.place, copy));
      r = std::move(copy);
    }
  }
  for (size_t i = 0; i < owners.size(); ++i)
    if (!isView(results[first + i]))
      *owners[i] = std::move(results[first + i]);
  return nullptr;
}
