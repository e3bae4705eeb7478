//===- Status.cpp - status objects carrying one message -------------------===//

#include "nnrt/nnrt.h"

#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>

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
