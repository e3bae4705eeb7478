//===- safetensors_fuzz.cpp - libFuzzer target for safetensors ------------===//
//
// The input is a safetensors file, gzip-compressed or not. It is read as
// nnrt_safetensors_read reads it, every tensor and metadata value is looked
// at, and then it is loaded as a checkpoint (`--load`) into a session of a
// small model with momentum SGD: dense.w f32[4,3], dense.b f32[3] and their
// optimizer.<param>.momentum states (Common.h says what counts as a finding).
//
//===----------------------------------------------------------------------===//

#include "Common.h"

#include <cmath>

static const char *const kManifest = R"({
  "format": "nnc-manifest", "version": 2, "model": "M",
  "inputs": [{"name": "x", "dtype": "f32", "shape": [-1, 4]}],
  "outputs": [{"dtype": "f32", "shape": [-1, 3]}],
  "params": [{"name": "dense.w", "dtype": "f32", "shape": [4, 3],
              "init": {"kind": "glorot_uniform", "fan_in": 4, "fan_out": 3}},
             {"name": "dense.b", "dtype": "f32", "shape": [3]}],
  "train": {"batch": 2, "epochs": 1, "loss": "cross_entropy", "seed": 1,
            "optimizer": {"kind": "sgd", "lr": 0.1, "momentum": 0.9}},
  "optimizer_state": [
    {"param": "dense.w", "slot": "momentum", "dtype": "f32", "shape": [4, 3]},
    {"param": "dense.b", "slot": "momentum", "dtype": "f32", "shape": [3]}]
})";

static void readFile(const std::vector<uint8_t> &bytes) {
  nnrt_safetensors file = nullptr;
  if (fuzz::failed(nnrt::parseSafetensors(fuzz::kPath, bytes, file)))
    return;
  for (size_t i = 0, n = nnrt_safetensors_count(file); i < n; ++i) {
    const char *name = nnrt_safetensors_name(file, i);
    const nnrt_tensor *t = nnrt_safetensors_find(file, name);
    const char *dtype = nnrt_safetensors_dtype(file, name);
    if (!t || !dtype)
      fuzz::finding("a listed tensor that cannot be found", name);
    if (!t->data)
      continue; // a dtype the runtime lists but does not read (F16, ...)
    nnrt::Tensor copy;
    fuzz::mustSucceed(
        copy.alloc(t->dtype, nnrt::Shape(t->shape, t->shape + t->rank)),
        "copying a tensor");
    memcpy(copy.t.data, t->data, copy.bytes());
    fuzz::checkTensor(copy);
  }
  for (const char *key : {"step", "epoch", "seed", "batch", "format"})
    if (const char *v = nnrt_safetensors_metadata(file, key))
      (void)strlen(v);
  nnrt_safetensors_free(file);
}

static void loadCheckpoint(const std::vector<uint8_t> &bytes) {
  static const nnrt::Manifest manifest = [] {
    nnrt::Manifest m;
    fuzz::mustSucceed(nnrt::parseManifest(kManifest, m), "the fixed manifest");
    return m;
  }();
  nnrt::Session s;
  s.m = manifest;
  if (fuzz::failed(s.loadBytes(fuzz::kPath, bytes)))
    return;
  if (s.params.size() != s.m.params.size())
    fuzz::finding("a checkpoint loaded without every parameter", "");
  for (size_t i = 0; i < s.params.size(); ++i)
    if (s.params[i].shape() != s.m.params[i].shape)
      fuzz::finding("a parameter loaded with the wrong shape",
                    s.m.params[i].name.c_str());
  // Training goes on from these: ++step must not overflow, the loss so far
  // must be a number.
  if (s.resumed &&
      (s.step < 0 || s.step > (int64_t(1) << 53) || s.epoch < 0 ||
       s.epoch > (int64_t(1) << 53) || s.epochSamples < 0 ||
       !std::isfinite(s.epochLossSum) || s.states.size() != s.m.states.size()))
    fuzz::finding("a resumed session with bad counters or states", "");
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::vector<uint8_t> bytes;
  if (!fuzz::fileBytes(data, size, bytes))
    return 0;
  readFile(bytes);
  loadCheckpoint(bytes);
  return 0;
}
