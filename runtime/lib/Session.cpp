//===- Session.cpp - parameters, optimizer state and checkpoints ----------===//
//
// A file written by --save holds the parameters under their §5 names, the
// optimizer state as optimizer.<param>.<slot>, and __metadata__ with step,
// epoch, seed and batch; loading it resumes training exactly. A file with
// the parameters alone starts a fresh optimizer.
//
//===----------------------------------------------------------------------===//

#include "Internal.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

using namespace nnrt;

Status Session::initParams(uint64_t initSeed) {
  params.clear();
  for (const ParamSpec &p : m.params) {
    Tensor t;
    NNRT_TRY(t.alloc(p.dtype, p.shape));
    NNRT_TRY(nnrt_init_fill(p.name.c_str(), p.init.c_str(), initSeed, &t.t));
    params.push_back(std::move(t));
  }
  zeroStates();
  return placeAll();
}

// Made on the host, then uploaded once for the whole run.
Status Session::placeAll() {
  for (Tensor &t : params)
    NNRT_TRY(moveTo(t, place));
  for (Tensor &t : states)
    NNRT_TRY(moveTo(t, place));
  return nullptr;
}

void Session::zeroStates() {
  states.clear();
  for (const StateSpec &st : m.states) {
    Tensor t;
    if (nnrt_status s = t.alloc(st.dtype, st.shape)) {
      nnrt_status_free(s); // an out-of-memory here surfaces at the first step
    }
    states.push_back(std::move(t));
  }
  step = epoch = epochSamples = 0;
  epochLossSum = 0;
  resumed = false;
}

std::vector<const nnrt_tensor *> Session::paramArgs() const {
  std::vector<const nnrt_tensor *> out;
  for (const Tensor &p : params)
    out.push_back(&p.t);
  return out;
}

std::vector<Tensor *> Session::updated() {
  std::vector<Tensor *> out;
  for (std::vector<Tensor> *v : {&params, &states})
    for (Tensor &t : *v)
      out.push_back(&t);
  return out;
}

static std::string stDtype(nnrt_dtype d) {
  std::string s = nnrt_dtype_name(d);
  for (char &c : s)
    c = (char)toupper(c);
  return s;
}

// Copies the named tensor out of `file` after checking dtype and shape.
static Status takeTensor(const std::string &path, nnrt_safetensors file,
                         const TensorSpec &spec, Tensor &out) {
  const char *dtype = nnrt_safetensors_dtype(file, spec.name.c_str());
  std::string want = stDtype(spec.dtype);
  if (!dtype)
    return nnrt_status_make("%s: tensor '%s' is missing (expected %s %s)",
                            path.c_str(), spec.name.c_str(), want.c_str(),
                            formatShape(spec.shape).c_str());
  const nnrt_tensor *t = nnrt_safetensors_find(file, spec.name.c_str());
  Shape found(t->shape, t->shape + t->rank);
  if (want != dtype)
    return nnrt_status_make("%s: tensor '%s' has dtype %s, expected %s",
                            path.c_str(), spec.name.c_str(), dtype,
                            want.c_str());
  if (found != spec.shape)
    return nnrt_status_make("%s: tensor '%s' has shape %s, expected %s",
                            path.c_str(), spec.name.c_str(),
                            formatShape(found).c_str(),
                            formatShape(spec.shape).c_str());
  NNRT_TRY(checkFinite(path + ": tensor '" + spec.name + "'", *t, 1.0));
  NNRT_TRY(out.alloc(spec.dtype, spec.shape));
  memcpy(out.t.data, t->data, out.bytes());
  return nullptr;
}

// A decimal number up to `max` (strtoull alone takes "-1", " 1", "+1" and
// clamps what overflows).
static bool parseMeta(nnrt_safetensors file, const char *key, uint64_t max,
                      uint64_t &out) {
  const char *v = nnrt_safetensors_metadata(file, key);
  if (!v || *v < '0' || *v > '9')
    return false;
  char *end = nullptr;
  errno = 0;
  unsigned long long n = strtoull(v, &end, 10);
  if (*end || errno == ERANGE || n > max)
    return false;
  out = n;
  return true;
}

// Steps, epochs, samples: counts far from overflowing when incremented.
static bool parseMeta(nnrt_safetensors file, const char *key, int64_t &out) {
  uint64_t n = 0;
  if (!parseMeta(file, key, uint64_t(1) << 53, n))
    return false;
  out = (int64_t)n;
  return true;
}

Status Session::load(const std::string &path) {
  return readAndParse(path, [&](const std::vector<uint8_t> &bytes) {
    return loadBytes(path, bytes);
  });
}

Status Session::loadBytes(const std::string &path,
                          const std::vector<uint8_t> &bytes) {
  nnrt_safetensors file = nullptr;
  NNRT_TRY(parseSafetensors(path.c_str(), bytes, file));
  std::unique_ptr<nnrt_safetensors_s, void (*)(nnrt_safetensors)> guard(
      file, nnrt_safetensors_free);
  bool hasState = false;
  for (size_t i = 0; i < nnrt_safetensors_count(file); ++i) {
    std::string name = nnrt_safetensors_name(file, i);
    bool known = false;
    for (const ParamSpec &p : m.params)
      known |= p.name == name;
    for (const StateSpec &st : m.states)
      known |= st.name == name;
    if (name.rfind("optimizer.", 0) == 0) {
      // A model without a train block reads weights saved by training.
      hasState = m.hasTrain;
      if (!known && m.hasTrain)
        return nnrt_status_make("%s: optimizer state '%s' does not belong to "
                                "this model's optimizer (%s)",
                                path.c_str(), name.c_str(),
                                m.optimizer.c_str());
    } else if (!known) {
      return nnrt_status_make("%s: unexpected tensor '%s' (the model has no "
                              "parameter of that name)",
                              path.c_str(), name.c_str());
    }
  }
  std::vector<Tensor> newParams, newStates;
  for (const ParamSpec &p : m.params) {
    newParams.emplace_back();
    NNRT_TRY(takeTensor(path, file, p, newParams.back()));
  }
  params = std::move(newParams);
  zeroStates();
  if (!hasState)
    return placeAll();
  for (const StateSpec &st : m.states) {
    newStates.emplace_back();
    NNRT_TRY(takeTensor(path, file, st, newStates.back()));
  }
  states = std::move(newStates);
  int64_t v = 0;
  if (!parseMeta(file, "step", step) || !parseMeta(file, "epoch", epoch))
    return nnrt_status_make("%s: optimizer state without a valid step and "
                            "epoch in __metadata__",
                            path.c_str());
  // All 64 bits: the manifest's seed is any int64, taken as unsigned.
  uint64_t savedSeed = 0;
  if (parseMeta(file, "seed", UINT64_MAX, savedSeed))
    seed = savedSeed;
  if (parseMeta(file, "batch", v) && v > 0)
    batch = v;
  if (parseMeta(file, "epoch_samples", epochSamples) && epochSamples > 0) {
    const char *sum = nnrt_safetensors_metadata(file, "epoch_loss_sum");
    char *end = nullptr;
    epochLossSum = sum ? strtod(sum, &end) : 0;
    if (!sum || !*sum || *end || !std::isfinite(epochLossSum))
      return nnrt_status_make("%s: epoch_samples without a valid "
                              "epoch_loss_sum in __metadata__",
                              path.c_str());
  }
  resumed = true;
  return placeAll();
}

Status Session::save(const std::string &path) const {
  std::vector<const char *> names;
  std::vector<const nnrt_tensor *> tensors;
  // Device tensors come down once per save, into host copies.
  std::vector<Tensor> copies(params.size() + states.size());
  auto add = [&](const std::string &name, const Tensor &t) -> Status {
    names.push_back(name.c_str());
    if (t.place == Place::Host) {
      tensors.push_back(&t.t);
      return nullptr;
    }
    Tensor &copy = copies[tensors.size()];
    tensors.push_back(&copy.t);
    return copyTo(t, Place::Host, copy);
  };
  for (size_t i = 0; i < params.size(); ++i)
    NNRT_TRY(add(m.params[i].name, params[i]));
  for (size_t i = 0; i < states.size(); ++i)
    NNRT_TRY(add(m.states[i].name, states[i]));
  std::vector<std::string> values = {"nnc",
                                     m.model,
                                     m.optimizer,
                                     std::to_string(step),
                                     std::to_string(epoch),
                                     std::to_string(seed),
                                     std::to_string(batch)};
  std::vector<const char *> keys = {"format", "model", "optimizer", "step",
                                    "epoch",  "seed",  "batch"};
  // Only a checkpoint taken inside an epoch says where in it.
  if (epochSamples > 0) {
    char sum[32];
    snprintf(sum, sizeof sum, "%.17g", epochLossSum);
    keys.push_back("epoch_samples");
    values.push_back(std::to_string(epochSamples));
    keys.push_back("epoch_loss_sum");
    values.push_back(sum);
  }
  std::vector<const char *> vals;
  for (const std::string &v : values)
    vals.push_back(v.c_str());
  return nnrt_safetensors_write(path.c_str(), names.size(), names.data(),
                                tensors.data(), keys.size(), keys.data(),
                                vals.data());
}
