//===- manifest_fuzz.cpp - libFuzzer target for the manifest parser -------===//
//
// The input is the manifest JSON nnc embeds in an executable (nnc_manifest,
// a C string: it ends at the first NUL). A failure must be one message
// starting "manifest"; a manifest that parses must describe tensors the
// runtime can make (rank, batch dimension, sizes), and the session the CLI
// starts from it must initialize its parameters when they are small.
//
//===----------------------------------------------------------------------===//

#include "Common.h"

#include <algorithm>
#include <nlohmann/json.hpp>

static void checkSpec(const nnrt::TensorSpec &t, bool batched) {
  std::string what = t.name + " " + nnrt::formatShape(t.shape);
  if (t.shape.size() > NNRT_MAX_RANK)
    fuzz::finding("a manifest tensor over the rank limit", what.c_str());
  for (size_t i = 0; i < t.shape.size(); ++i)
    if (t.shape[i] < 0 && !(batched && i == 0 && t.shape[i] == -1))
      fuzz::finding("a manifest tensor with a bad dimension", what.c_str());
  if (nnrt::checkedNumel(t.withBatch(1)) < 0)
    fuzz::finding("a manifest tensor too large to count", what.c_str());
  (void)t.sampleNumel();
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string text(reinterpret_cast<const char *>(data), size);
  nnrt::Session s;
  if (fuzz::failed(nnrt::parseManifest(text.c_str(), s.m), "manifest"))
    return 0;
  // A manifest is refused unless it says what it is.
  nlohmann::ordered_json j;
  std::string error;
  if (!nnrt::parseJson(text.c_str(), j, error) ||
      j.value("format", nlohmann::ordered_json()) != "nnc-manifest" ||
      j.value("version", nlohmann::ordered_json()) != 2)
    fuzz::finding("a manifest accepted without its format and version",
                  text.c_str());
  const nnrt::Manifest &m = s.m;
  if (m.inputs.empty() || m.outputs.empty())
    fuzz::finding("a manifest without inputs or outputs", "");
  int64_t numel = 0; // of parameters and states, saturating
  for (const nnrt::TensorSpec &t : m.inputs)
    checkSpec(t, true);
  for (const nnrt::TensorSpec &t : m.outputs)
    checkSpec(t, true);
  checkSpec(m.label, true);
  for (const nnrt::ParamSpec &p : m.params) {
    checkSpec(p, false);
    numel = std::min(numel + nnrt::checkedNumel(p.shape), INT64_MAX / 2);
  }
  for (const nnrt::StateSpec &st : m.states) {
    checkSpec(st, false);
    numel = std::min(numel + nnrt::checkedNumel(st.shape), INT64_MAX / 2);
  }
  // What `train` and `predict` do first (the initializers parse here).
  if (numel > (1 << 16) || fuzz::failed(s.initParams(m.seed), "parameter '"))
    return 0;
  for (size_t i = 0; i < s.params.size(); ++i)
    if (nnrt::checkFinite("", s.params[i].t, 1.0))
      fuzz::finding("an initializer that gives a non-finite value",
                    m.params[i].init.c_str());
  return 0;
}
