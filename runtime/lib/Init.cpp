//===- Init.cpp - seeded random streams and parameter initializers --------===//
//
// Each parameter draws from its own splitmix64 stream seeded by
// hash(seed, name), so adding a parameter leaves the others unchanged. The
// exact recipe is in docs/runtime.md ("Random numbers").
//
//===----------------------------------------------------------------------===//

#include "Internal.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdlib>
#include <sstream>

using namespace nnrt;

static uint64_t mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

uint64_t Rng::next() {
  state += 0x9E3779B97F4A7C15ull;
  return mix64(state);
}

double Rng::uniform() { return (double)(next() >> 40) * (1.0 / 16777216.0); }

double Rng::normal() {
  double u1 = uniform(), u2 = uniform();
  return std::sqrt(-2.0 * std::log(1.0 - u1)) * std::cos(2.0 * M_PI * u2);
}

uint64_t Rng::below(uint64_t bound) {
  return (uint64_t)(((unsigned __int128)next() * bound) >> 64);
}

uint64_t nnrt::fnv1a(const void *data, size_t bytes, uint64_t h) {
  const unsigned char *p = static_cast<const unsigned char *>(data);
  for (size_t i = 0; i < bytes; ++i) {
    h ^= p[i];
    h *= 0x100000001b3ull;
  }
  return h;
}

uint64_t nnrt::fnv1a(const std::string &s) { return fnv1a(s.data(), s.size()); }

uint64_t nnrt::streamSeed(uint64_t seed, const std::string &name) {
  return fnv1a(name) ^ mix64(seed + 0x9E3779B97F4A7C15ull);
}

std::vector<int64_t> nnrt::shuffleOrder(int64_t n, uint64_t seed,
                                        int64_t epoch) {
  std::vector<int64_t> order(n);
  for (int64_t i = 0; i < n; ++i)
    order[i] = i;
  Rng rng(streamSeed(seed, "shuffle." + std::to_string(epoch)));
  for (int64_t i = n - 1; i > 0; --i)
    std::swap(order[i], order[rng.below((uint64_t)i + 1)]);
  return order;
}

extern "C" nnrt_status nnrt_init_fill(const char *name, const char *spec,
                                      uint64_t seed, nnrt_tensor *tensor) {
  std::istringstream in(spec);
  std::string kind, field;
  in >> kind;
  std::map<std::string, double> arg;
  while (in >> field) {
    size_t eq = field.find('=');
    char *end = nullptr;
    double v =
        eq == std::string::npos ? NAN : strtod(field.c_str() + eq + 1, &end);
    if (eq == std::string::npos || *end)
      return nnrt_status_make("parameter '%s': bad initializer argument '%s'",
                              name, field.c_str());
    arg[field.substr(0, eq)] = v;
  }
  auto need = [&](const char *key, double &out) -> nnrt_status {
    auto it = arg.find(key);
    if (it == arg.end())
      return nnrt_status_make("parameter '%s': initializer %s needs %s=", name,
                              kind.c_str(), key);
    out = it->second;
    return nullptr;
  };
  if (tensor->dtype != NNRT_F32)
    return nnrt_status_make("parameter '%s': only f32 parameters can be "
                            "initialized, found %s",
                            name, nnrt_dtype_name(tensor->dtype));

  // Every kind reduces to uniform(lo, hi) or normal(mean, std).
  bool normal = false;
  double a = 0, b = 0, fanIn = 0, fanOut = 0;
  if (kind == "zeros" || kind == "ones") {
    a = b = kind == "ones";
  } else if (kind == "constant") {
    NNRT_TRY(need("value", a));
    b = a;
  } else if (kind == "uniform") {
    NNRT_TRY(need("lo", a));
    NNRT_TRY(need("hi", b));
  } else if (kind == "normal") {
    normal = true;
    NNRT_TRY(need("mean", a));
    NNRT_TRY(need("std", b));
  } else if (kind == "glorot_uniform" || kind == "he_normal" ||
             kind == "he_uniform" || kind == "lecun_uniform") {
    NNRT_TRY(need("fan_in", fanIn));
    if (kind == "glorot_uniform")
      NNRT_TRY(need("fan_out", fanOut));
    if (fanIn <= 0 || fanIn + fanOut <= 0)
      return nnrt_status_make("parameter '%s': %s needs positive fans", name,
                              kind.c_str());
    double limit = kind == "glorot_uniform"  ? std::sqrt(6.0 / (fanIn + fanOut))
                   : kind == "he_uniform"    ? std::sqrt(6.0 / fanIn)
                   : kind == "lecun_uniform" ? std::sqrt(3.0 / fanIn)
                                             : 0;
    a = -limit;
    b = limit;
    if (kind == "he_normal") {
      normal = true;
      a = 0;
      b = std::sqrt(2.0 / fanIn);
    }
  } else {
    return nnrt_status_make("parameter '%s': unknown initializer '%s'", name,
                            kind.c_str());
  }

  // Every value drawn must be a finite f32, or training would start from
  // inf and stop at "loss is inf" far from the cause. A normal draw here is
  // at most about 5.8 standard deviations from the mean (24-bit uniforms).
  double largest = normal ? std::fabs(a) + 6 * std::fabs(b)
                          : std::max(std::fabs(a), std::fabs(b));
  if (!(largest <= FLT_MAX))
    return nnrt_status_make("parameter '%s': initializer '%s' gives values "
                            "outside the f32 range",
                            name, spec);
  float *data = static_cast<float *>(tensor->data);
  int64_t n = nnrt_tensor_numel(tensor);
  Rng rng(streamSeed(seed, name));
  for (int64_t i = 0; i < n; ++i) {
    if (a == b && !normal)
      data[i] = (float)a;
    else
      data[i] =
          (float)(normal ? a + b * rng.normal() : a + (b - a) * rng.uniform());
  }
  return nullptr;
}
