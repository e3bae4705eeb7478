//===- Dataset.cpp - data sources from the manifest -----------------------===//
//
// Inputs stay as stored (u8 for IDX) and become f32 * scale one batch at a
// time; labels are converted once, at load, to the manifest's label dtype.
//
//===----------------------------------------------------------------------===//

#include "Internal.h"

#include <cfloat>

#include <cmath>
#include <cstring>

using namespace nnrt;

static double elementAt(const nnrt_tensor &t, int64_t i) {
  switch (t.dtype) {
  case NNRT_F32:
    return static_cast<const float *>(t.data)[i];
  case NNRT_F64:
    return static_cast<const double *>(t.data)[i];
  case NNRT_I32:
    return static_cast<const int32_t *>(t.data)[i];
  case NNRT_I64:
    return (double)static_cast<const int64_t *>(t.data)[i];
  case NNRT_U8:
    return static_cast<const uint8_t *>(t.data)[i];
  }
  return 0;
}

template <typename T>
static void scaleInto(const T *src, int64_t n, double scale, float *dst) {
  if (scale == 1.0) {
    for (int64_t i = 0; i < n; ++i)
      dst[i] = (float)src[i];
    return;
  }
  float s = (float)scale;
  for (int64_t i = 0; i < n; ++i)
    dst[i] = (float)src[i] * s;
}

static void toF32(const nnrt_tensor &t, int64_t first, int64_t n, double scale,
                  float *dst) {
  switch (t.dtype) {
  case NNRT_F32:
    return scaleInto(static_cast<const float *>(t.data) + first, n, scale, dst);
  case NNRT_F64:
    return scaleInto(static_cast<const double *>(t.data) + first, n, scale,
                     dst);
  case NNRT_I32:
    return scaleInto(static_cast<const int32_t *>(t.data) + first, n, scale,
                     dst);
  case NNRT_I64:
    return scaleInto(static_cast<const int64_t *>(t.data) + first, n, scale,
                     dst);
  case NNRT_U8:
    return scaleInto(static_cast<const uint8_t *>(t.data) + first, n, scale,
                     dst);
  }
}

Status nnrt::checkFinite(const std::string &what, const nnrt_tensor &t,
                         double scale) {
  // Integers are finite; times the scale they fit f32 when the dtype's
  // largest magnitude does, and then the (slow, elementwise) scan is skipped.
  double largest = t.dtype == NNRT_U8    ? 255.0
                   : t.dtype == NNRT_I32 ? 2147483648.0
                   : t.dtype == NNRT_I64 ? 9223372036854775808.0
                                         : -1;
  if (largest > 0 && largest * std::fabs(scale) <= FLT_MAX)
    return nullptr;
  int64_t n = nnrt_tensor_numel(&t);
  for (int64_t i = 0; i < n; ++i) {
    double v = elementAt(t, i);
    float f = (float)v * (float)scale;
    if (std::isfinite(f))
      continue;
    // The element's index as NumPy writes it: row first.
    std::string index;
    int64_t rest = i;
    for (int d = t.rank - 1; d >= 0; --d) {
      std::string k = std::to_string(rest % t.shape[d]);
      rest /= t.shape[d];
      index = d == t.rank - 1 ? k : k + "," + index;
    }
    if (!std::isfinite(v))
      return nnrt_status_make("%s: element [%s] is %s (data must be finite)",
                              what.c_str(), index.c_str(),
                              std::isnan(v) ? "nan"
                              : v > 0       ? "inf"
                                            : "-inf");
    return nnrt_status_make("%s: element [%s] is %s, which%s is outside the "
                            "f32 range",
                            what.c_str(), index.c_str(),
                            formatNumber(v).c_str(),
                            scale == 1.0 ? "" : " times the source's scale");
  }
  return nullptr;
}

Status nnrt::convertToF32(Tensor &t) {
  if (t.t.dtype == NNRT_F32)
    return nullptr;
  Tensor f;
  NNRT_TRY(f.alloc(NNRT_F32, t.shape()));
  toF32(t.t, 0, t.numel(), 1.0, f.as<float>());
  t = std::move(f);
  return nullptr;
}

void nnrt::fillBatch(const Dataset &ds, const int64_t *order, int64_t count,
                     float *x, void *y) {
  int64_t xs = ds.x.numel() / ds.size(), ys = ds.y.numel() / ds.size();
  size_t yb = ys * nnrt_dtype_size(ds.y.t.dtype);
  for (int64_t i = 0; i < count; ++i) {
    int64_t s = order[i];
    toF32(ds.x.t, s * xs, xs, ds.scale, x + i * xs);
    memcpy(static_cast<char *>(y) + i * yb, ds.y.as<char>() + s * yb, yb);
  }
}

static std::string resolve(const DataSpec &spec, const std::string &dataDir,
                           const std::string &file) {
  if (!file.empty() && file[0] == '/')
    return file;
  const std::string &dir = dataDir.empty() ? spec.dir : dataDir;
  return dir.empty() ? file : dir + "/" + file;
}

// Converts the raw labels to the manifest's label tensor, checking classes.
static Status makeTargets(const std::string &path, const Tensor &raw,
                          const Manifest &m, int64_t n, Tensor &out) {
  int64_t per = raw.numel() / std::max<int64_t>(n, 1);
  if (m.label.dtype == NNRT_I32) {
    int64_t classes =
        m.outputs[0].shape.empty() ? 0 : m.outputs[0].shape.back();
    if (per != 1)
      return nnrt_status_make("%s: expected one class index per sample, "
                              "found %s",
                              path.c_str(), formatShape(raw.shape()).c_str());
    NNRT_TRY(out.alloc(NNRT_I32, {n}));
    for (int64_t i = 0; i < n; ++i) {
      double v = elementAt(raw.t, i);
      if (v != std::floor(v) || v < 0 || v >= (double)classes)
        return nnrt_status_make("%s: label %s of sample %lld is not a class "
                                "index in [0, %lld)",
                                path.c_str(), formatNumber(v).c_str(),
                                (long long)i, (long long)classes);
      out.as<int32_t>()[i] = (int32_t)v;
    }
    return nullptr;
  }
  if (per != m.label.sampleNumel())
    return nnrt_status_make("%s: a label has %lld elements, the model's "
                            "label is f32%s",
                            path.c_str(), (long long)per,
                            formatShape(m.label.shape).c_str());
  NNRT_TRY(out.alloc(NNRT_F32, m.label.withBatch(n)));
  toF32(raw.t, 0, raw.numel(), 1.0, out.as<float>());
  return nullptr;
}

Status nnrt::loadDataset(const DataSpec &spec, const std::string &dataDir,
                         const Manifest &m, const char *what, Dataset &out) {
  out.what = what;
  out.scale = spec.scale;
  if (!spec.present)
    return nnrt_status_make("the model has no '%s' source in its train block",
                            what);
  if (m.inputs.size() != 1)
    return nnrt_status_make("a '%s' source gives one input, but the model "
                            "has %zu inputs",
                            what, m.inputs.size());
  size_t wantFiles = spec.kind == "csv" ? 1 : 2;
  if (spec.files.size() != wantFiles)
    return nnrt_status_make("'%s' source %s needs %zu files, the manifest "
                            "gives %zu",
                            what, spec.kind.c_str(), wantFiles,
                            spec.files.size());
  std::string xPath = resolve(spec, dataDir, spec.files[0]);
  std::string yPath =
      wantFiles == 2 ? resolve(spec, dataDir, spec.files[1]) : xPath;
  Tensor rawY;
  if (spec.kind == "idx") {
    NNRT_TRY(nnrt_idx_read(xPath.c_str(), &out.x.t));
    NNRT_TRY(nnrt_idx_read(yPath.c_str(), &rawY.t));
  } else if (spec.kind == "npy") {
    NNRT_TRY(nnrt_npy_read(xPath.c_str(), &out.x.t));
    NNRT_TRY(nnrt_npy_read(yPath.c_str(), &rawY.t));
  } else if (spec.kind == "csv") {
    nnrt_csv_header h = spec.header == "true"    ? NNRT_CSV_HEADER_TRUE
                        : spec.header == "false" ? NNRT_CSV_HEADER_FALSE
                                                 : NNRT_CSV_HEADER_AUTO;
    NNRT_TRY(nnrt_csv_read(xPath.c_str(), spec.label, h, &out.x.t, &rawY.t));
  } else {
    return nnrt_status_make("unknown data source kind '%s'", spec.kind.c_str());
  }
  int64_t n = out.size();
  if (out.x.t.rank == 0 || n == 0)
    return nnrt_status_make("%s: no samples", xPath.c_str());
  if (rawY.t.rank == 0 || rawY.t.shape[0] != n)
    return nnrt_status_make("%s has %lld samples but %s has %lld",
                            xPath.c_str(), (long long)n, yPath.c_str(),
                            (long long)(rawY.t.rank ? rawY.t.shape[0] : 0));
  const TensorSpec &in = m.inputs[0];
  int64_t per = out.x.numel() / n;
  if (per != in.sampleNumel())
    return nnrt_status_make(
        "%s: a sample is %s (%lld elements), but model "
        "input '%s' is %s%s (%lld per sample)",
        xPath.c_str(),
        formatShape(Shape(out.x.t.shape + 1, out.x.t.shape + out.x.t.rank))
            .c_str(),
        (long long)per, in.name.c_str(), nnrt_dtype_name(in.dtype),
        formatShape(in.shape).c_str(), (long long)in.sampleNumel());
  // Caught here, with the place named, rather than as a nan loss later.
  NNRT_TRY(checkFinite(xPath, out.x.t, spec.scale));
  if (m.label.dtype == NNRT_F32)
    NNRT_TRY(checkFinite(yPath, rawY.t, 1.0));
  return makeTargets(yPath, rawY, m, n, out.y);
}
