//===- Status.cpp - status objects carrying one message -------------------===//

#include "Internal.h"

#include <charconv>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <initializer_list>

struct nnrt_status_s {
  char *message;
};

extern "C" nnrt_status nnrt_status_make(const char *fmt, ...) {
  va_list args;
  va_start(args, fmt);
  char *message = nullptr;
  if (vasprintf(&message, fmt, args) < 0)
    message = nullptr;
  va_end(args);
  auto *status = static_cast<nnrt_status_s *>(malloc(sizeof(nnrt_status_s)));
  if (!status) {
    // Out of memory while reporting: still never return "success".
    static nnrt_status_s oom = {const_cast<char *>("out of memory")};
    free(message);
    return &oom;
  }
  status->message = message ? message : strdup("out of memory");
  return status;
}

extern "C" const char *nnrt_status_message(nnrt_status status) {
  return status ? status->message : "ok";
}

extern "C" void nnrt_status_free(nnrt_status status) {
  if (!status || strcmp(status->message, "out of memory") == 0)
    return;
  free(status->message);
  free(status);
}

//===- Numbers in messages ---------------------------------------------===//

std::string nnrt::formatNumber(double v) {
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

/// `x` divided down by `base` to below it, with one decimal after the first
/// unit: "14.0 M", "950 ".
static std::string formatScaled(double x, double base,
                                std::initializer_list<const char *> units) {
  const char *const *unit = units.begin();
  while (x >= base - 0.05 && unit + 1 != units.end())
    x /= base, ++unit;
  char buf[48];
  snprintf(buf, sizeof buf, unit != units.begin() ? "%.1f %s" : "%.0f %s", x,
           *unit);
  return buf;
}

std::string nnrt::formatBytes(double bytes) {
  return formatScaled(bytes, 1024, {"bytes", "KiB", "MiB", "GiB", "TiB"});
}

std::string nnrt::formatSI(double x) {
  return formatScaled(x, 1000, {"", "k", "M", "G", "T", "P"});
}

std::string nnrt::formatFixed(double v, int decimals) {
  // Fixed point reads best for losses and accuracies, but a diverging loss
  // would print as dozens of digits: large values switch to %g.
  char buf[64];
  if (std::fabs(v) < 1e6 || !std::isfinite(v))
    snprintf(buf, sizeof buf, "%.*f", decimals, v);
  else
    snprintf(buf, sizeof buf, "%.*g", decimals + 1, v);
  return buf;
}
