//===- Manifest.cpp - parse the nnc_manifest JSON -------------------------===//
//
// The schema is in docs/design.md ("Manifest"): one JSON object. Keys this
// runtime does not know are kept for `info`; inside the known objects they
// are skipped.
//
//===----------------------------------------------------------------------===//

#include "Internal.h"

#include <algorithm>
#include <functional>
#include <nlohmann/json.hpp>

using namespace nnrt;
using Json = nlohmann::ordered_json;

int64_t TensorSpec::sampleNumel() const {
  int64_t n = 1;
  for (size_t i = 0; i < shape.size(); ++i)
    if (!(i == 0 && shape[i] < 0))
      n *= shape[i];
  return n;
}

Shape TensorSpec::withBatch(int64_t n) const {
  Shape s = shape;
  if (!s.empty() && s[0] < 0)
    s[0] = n;
  return s;
}

static bool parseDtype(const std::string &s, nnrt_dtype &out) {
  static const std::pair<const char *, nnrt_dtype> names[] = {{"f32", NNRT_F32},
                                                              {"f64", NNRT_F64},
                                                              {"i32", NNRT_I32},
                                                              {"i64", NNRT_I64},
                                                              {"u8", NNRT_U8}};
  for (auto &[n, d] : names)
    if (s == n)
      return out = d, true;
  return false;
}

/// A scalar as the text `info` and the initializers take: strings as they
/// are, true/false as 1/0, numbers in the shortest form that reads back.
static std::string scalarText(const Json &v) {
  if (v.is_string())
    return v.get<std::string>();
  if (v.is_boolean())
    return v.get<bool>() ? "1" : "0";
  if (v.is_number_unsigned())
    return std::to_string(v.get<uint64_t>());
  if (v.is_number_integer())
    return std::to_string(v.get<int64_t>());
  if (v.is_number())
    return formatNumber(v.get<double>());
  return v.dump();
}

namespace {
/// Reads the manifest's values, naming the one that is wrong by its path
/// ("params[2].shape") in the message.
struct Reader {
  std::string error;

  bool fail(const std::string &where, const std::string &what) {
    error = "manifest: " + where + ": " + what;
    return false;
  }
  static std::string at(const std::string &where, const char *key) {
    return where.empty() ? key : where + "." + key;
  }
  static std::string at(const std::string &where, size_t index) {
    return where + "[" + std::to_string(index) + "]";
  }
  /// `obj[key]`, or null when absent; fails when it must be there.
  bool member(const Json &obj, const std::string &where, const char *key,
              bool required, const Json *&out) {
    auto it = obj.find(key);
    out = it == obj.end() ? nullptr : &*it;
    if (!out && required)
      return fail(where.empty() ? "the top level" : where,
                  std::string("missing key '") + key + "'");
    return true;
  }
  bool object(const Json &v, const std::string &where) {
    return v.is_object() || fail(where, "expected an object, found " +
                                            std::string(v.type_name()));
  }
  bool array(const Json &v, const std::string &where) {
    return v.is_array() || fail(where, "expected an array, found " +
                                           std::string(v.type_name()));
  }
  bool string(const Json &obj, const std::string &where, const char *key,
              bool required, std::string &out) {
    const Json *v;
    if (!member(obj, where, key, required, v))
      return false;
    if (v && !v->is_string())
      return fail(at(where, key), "expected a string, found " + v->dump());
    if (v)
      out = v->get<std::string>();
    return true;
  }
  bool integer(const Json &obj, const std::string &where, const char *key,
               int64_t &out) {
    const Json *v;
    if (!member(obj, where, key, false, v) || !v)
      return true;
    if (!v->is_number_integer() ||
        (v->is_number_unsigned() && v->get<uint64_t>() > INT64_MAX))
      return fail(at(where, key), "expected an integer, found " + v->dump());
    out = v->get<int64_t>();
    return true;
  }
  /// Calls `read(element, "where[i]")` on each element of the array `v`.
  template <typename Read>
  bool each(const Json &v, const std::string &where, Read read) {
    if (!array(v, where))
      return false;
    for (size_t i = 0; i < v.size(); ++i)
      if (!read(v[i], at(where, i)))
        return false;
    return true;
  }
  /// An array of strings, appended to `out`.
  bool strings(const Json &v, const std::string &where,
               std::vector<std::string> &out) {
    return each(v, where, [&](const Json &s, const std::string &place) {
      if (!s.is_string())
        return fail(place, "expected a string, found " + s.dump());
      out.push_back(s.get<std::string>());
      return true;
    });
  }
  bool shape(const Json &v, const std::string &where, bool batched, Shape &out);
  bool tensor(const Json &v, const std::string &where, bool batched,
              TensorSpec &t);
  bool param(const Json &v, const std::string &where, ParamSpec &p);
  bool state(const Json &v, const std::string &where, StateSpec &s);
  bool lineCost(const Json &v, const std::string &where, LineCost &c);
  bool device(const Json &v, Manifest &m);
  bool build(const Json &v, Manifest &m);
  bool data(const Json &v, const std::string &where, DataSpec &d);
  bool train(const Json &v, Manifest &m);
  bool cost(const Json &v, Manifest &m);
  bool manifest(const Json &j, Manifest &m);
};
} // namespace

// Dimensions are sizes, or -1 for the batch as the first dimension of an
// input, output or label (`batched`).
bool Reader::shape(const Json &v, const std::string &where, bool batched,
                   Shape &out) {
  out.clear();
  if (!array(v, where))
    return false;
  for (const Json &d : v) {
    if (!d.is_number_integer() || d.get<double>() < -1 ||
        d.get<double>() > (double)INT64_MAX)
      return fail(where, "bad shape " + v.dump());
    if (d.get<int64_t>() == -1 && !(batched && out.empty()))
      return fail(where, "bad shape " + v.dump() + ": only " +
                             (batched ? "the first dimension"
                                      : "an input, output or label") +
                             " can be the batch (-1)");
    out.push_back(d.get<int64_t>());
  }
  if (out.size() > NNRT_MAX_RANK)
    return fail(where, "shape " + v.dump() + " has rank " +
                           std::to_string(out.size()) +
                           ", over the runtime's limit of " +
                           std::to_string(NNRT_MAX_RANK));
  Shape one = out;
  if (!one.empty() && one[0] == -1)
    one[0] = 1;
  if (checkedNumel(one) < 0)
    return fail(where, "shape " + v.dump() + " is too large");
  return true;
}

/// {"dtype": "f32", "shape": [-1, 784]}; `batched` for inputs, outputs and
/// the label.
bool Reader::tensor(const Json &v, const std::string &where, bool batched,
                    TensorSpec &t) {
  std::string dtype;
  const Json *shapeJson;
  if (!object(v, where) || !string(v, where, "dtype", true, dtype) ||
      !member(v, where, "shape", true, shapeJson))
    return false;
  if (!parseDtype(dtype, t.dtype))
    return fail(at(where, "dtype"), "unknown dtype '" + dtype + "'");
  return shape(*shapeJson, at(where, "shape"), batched, t.shape);
}

bool Reader::data(const Json &v, const std::string &where, DataSpec &d) {
  const Json *files;
  if (!object(v, where) || !string(v, where, "kind", true, d.kind) ||
      !string(v, where, "dir", false, d.dir) ||
      !string(v, where, "header", false, d.header) ||
      !integer(v, where, "label", d.label) ||
      !member(v, where, "files", false, files))
    return false;
  d.present = true;
  if (files && !strings(*files, at(where, "files"), d.files))
    return false;
  auto scale = v.find("scale");
  if (scale != v.end()) {
    if (!scale->is_number())
      return fail(at(where, "scale"), "expected a number");
    d.scale = scale->get<double>();
  }
  return true;
}

bool Reader::train(const Json &v, Manifest &m) {
  if (!object(v, "train") || !string(v, "train", "loss", false, m.loss) ||
      !integer(v, "train", "batch", m.batch) ||
      !integer(v, "train", "epochs", m.epochs))
    return false;
  m.hasTrain = true;
  // Seeds use all 64 bits: one over INT64_MAX is an unsigned JSON number.
  if (auto seed = v.find("seed"); seed != v.end()) {
    if (!seed->is_number_integer())
      return fail("train.seed", "expected an integer, found " + seed->dump());
    m.seed = seed->is_number_unsigned() ? seed->get<uint64_t>()
                                        : (uint64_t)seed->get<int64_t>();
  }
  auto shuffle = v.find("shuffle");
  if (shuffle != v.end()) {
    if (!shuffle->is_boolean() && !shuffle->is_number_integer())
      return fail("train.shuffle",
                  "expected true or false, found " + shuffle->dump());
    m.shuffle = shuffle->is_boolean() ? shuffle->get<bool>()
                                      : shuffle->get<int64_t>() != 0;
  }
  if (auto opt = v.find("optimizer"); opt != v.end()) {
    if (!object(*opt, "train.optimizer") ||
        !string(*opt, "train.optimizer", "kind", true, m.optimizer))
      return false;
    for (auto &[k, arg] : opt->items()) {
      if (k == "kind")
        continue;
      if (k == "lr" && !arg.is_number())
        return fail("train.optimizer.lr", "expected a number");
      if (k == "lr")
        m.lr = arg.get<double>();
      m.optimizerArgs.emplace_back(k, scalarText(arg));
    }
  }
  if (auto d = v.find("data"); d != v.end() && !data(*d, "train.data", m.data))
    return false;
  if (auto t = v.find("test"); t != v.end() && !data(*t, "train.test", m.test))
    return false;
  return true;
}

bool Reader::cost(const Json &v, Manifest &m) {
  if (!object(v, "cost"))
    return false;
  int64_t batch = 0, forward = -1, step = -1, activations = -1;
  if (!integer(v, "cost", "batch", batch) ||
      !integer(v, "cost", "forward_flops", forward) ||
      !integer(v, "cost", "step_flops", step) ||
      !integer(v, "cost", "activation_bytes", activations))
    return false;
  if (batch < 0 || (forward < 0 && v.contains("forward_flops")) ||
      (step < 0 && v.contains("step_flops")) ||
      (activations < 0 && v.contains("activation_bytes")))
    return fail("cost", "counts must not be negative");
  m.costBatch = batch;
  m.forwardFlops = (double)forward;
  m.stepFlops = (double)step;
  m.activationBytes = (double)activations;
  return true;
}

/// {"name", "dtype", "shape", "init": {"kind": ..., arguments...}}.
bool Reader::param(const Json &v, const std::string &where, ParamSpec &p) {
  const Json *init;
  if (!tensor(v, where, false, p) || !string(v, where, "name", true, p.name) ||
      !member(v, where, "init", false, init))
    return false;
  // The initializer as nnrt_init_fill takes it: "kind key=value ...".
  p.init = "zeros";
  if (!init)
    return true;
  if (!object(*init, at(where, "init")) ||
      !string(*init, at(where, "init"), "kind", true, p.init))
    return false;
  for (auto &[k, arg] : init->items())
    if (k != "kind")
      p.init += " " + k + "=" + scalarText(arg);
  return true;
}

bool Reader::state(const Json &v, const std::string &where, StateSpec &s) {
  if (!tensor(v, where, false, s) ||
      !string(v, where, "param", true, s.param) ||
      !string(v, where, "slot", true, s.slot))
    return false;
  s.name = "optimizer." + s.param + "." + s.slot;
  return true;
}

bool Reader::lineCost(const Json &v, const std::string &where, LineCost &c) {
  int64_t flops = -1;
  if (!object(v, where) || !string(v, where, "file", true, c.file) ||
      !string(v, where, "text", false, c.text) ||
      !integer(v, where, "line", c.line) || !integer(v, where, "flops", flops))
    return false;
  if (flops < 0)
    return fail(where, "expected a count of FLOPs");
  c.flops = (double)flops;
  return true;
}

// {"kind": "cuda", "arch": "sm_90"}: a --target=cuda build and the GPU it was
// built for.
bool Reader::device(const Json &v, Manifest &m) {
  std::string kind, arch;
  if (!object(v, "device") || !string(v, "device", "kind", true, kind) ||
      !string(v, "device", "arch", true, arch))
    return false;
  if (kind != "cuda" || arch.rfind("sm_", 0) != 0 || arch.size() < 5)
    return fail("device", "expected {\"kind\": \"cuda\", \"arch\": "
                          "\"sm_NN\"}, found " +
                              v.dump());
  m.device = kind;
  m.deviceArch = arch;
  return true;
}

bool Reader::build(const Json &v, Manifest &m) {
  if (!object(v, "build"))
    return false;
  for (auto &[k, flag] : v.items())
    m.buildFlags.emplace_back(k, scalarText(flag));
  // JSON objects have no order (nnc writes keys sorted): `info` shows the
  // target first, as nnc's options go, and unknown flags last.
  static const char *const order[] = {"target", "mcpu", "cuda-arch",
                                      "avx512", "opt",  "sanitize"};
  auto rank = [](const std::string &k) {
    return std::find(std::begin(order), std::end(order), k) - std::begin(order);
  };
  std::stable_sort(
      m.buildFlags.begin(), m.buildFlags.end(),
      [&](auto &a, auto &b) { return rank(a.first) < rank(b.first); });
  return true;
}

bool Reader::manifest(const Json &j, Manifest &m) {
  // A reader of one element that appends it to `list`.
  auto into = [](auto &list, auto read) {
    return [&list, read](const Json &v, const std::string &where) {
      list.emplace_back();
      return read(v, where, list.back());
    };
  };
  auto input = [&](const Json &v, const std::string &where, TensorSpec &t) {
    return tensor(v, where, true, t) && string(v, where, "name", true, t.name);
  };
  auto output = [&](const Json &v, const std::string &where, TensorSpec &t) {
    return tensor(v, where, true, t) && string(v, where, "name", false, t.name);
  };
  using namespace std::placeholders;
  auto param = std::bind(&Reader::param, this, _1, _2, _3);
  auto state = std::bind(&Reader::state, this, _1, _2, _3);
  auto lineCost = std::bind(&Reader::lineCost, this, _1, _2, _3);
  const Json *inputs, *outputs;
  if (!string(j, "", "model", false, m.model) ||
      !member(j, "", "inputs", true, inputs) ||
      !member(j, "", "outputs", true, outputs) ||
      !each(*inputs, "inputs", into(m.inputs, input)) ||
      !each(*outputs, "outputs", into(m.outputs, output)))
    return false;
  for (auto &[key, v] : j.items()) {
    bool ok = true;
    if (key == "format" || key == "version" || key == "model" ||
        key == "inputs" || key == "outputs")
      continue;
    if (key == "params")
      ok = each(v, key, into(m.params, param));
    else if (key == "train")
      ok = train(v, m);
    else if (key == "label")
      ok = tensor(v, key, true, m.label);
    else if (key == "optimizer_state")
      ok = each(v, key, into(m.states, state));
    else if (key == "entries")
      ok = strings(v, key, m.entries);
    else if (key == "device")
      ok = device(v, m);
    else if (key == "build")
      ok = build(v, m);
    else if (key == "cost")
      ok = cost(v, m);
    else if (key == "line_costs")
      ok = each(v, key, into(m.lineCosts, lineCost));
    else
      // A key of a newer nnc: shown by `info`, otherwise unused.
      m.other.push_back(key + " " + v.dump());
    if (!ok)
      return false;
  }
  return true;
}

Status nnrt::parseManifest(const char *text, Manifest &out) {
  out = Manifest();
  if (!text)
    return nnrt_status_make("the model has no manifest");
  Json j;
  std::string error;
  if (!parseJson(text, j, error))
    return nnrt_status_make("manifest: bad JSON: %s", error.c_str());
  // A format and version first: an older runtime meets a newer manifest.
  if (!j.is_object() || j.value("format", Json()) != "nnc-manifest")
    return nnrt_status_make(
        "manifest: expected a JSON object with \"format\": \"nnc-manifest\"");
  Json version = j.value("version", Json());
  if (version != 2)
    return nnrt_status_make("manifest: version %s is not supported by this "
                            "runtime (expected 2)",
                            version.dump().c_str());
  Reader r;
  if (!r.manifest(j, out))
    return nnrt_status_make("%s", r.error.c_str());
  if (out.inputs.empty() || out.outputs.empty())
    return nnrt_status_make("manifest: needs at least one input and output");
  // Without a label: class indices for cross_entropy, else the output.
  if (out.hasTrain && !j.contains("label")) {
    out.label = out.outputs[0];
    if (out.loss == "cross_entropy")
      out.label = TensorSpec{"label", NNRT_I32, {-1}};
  }
  out.label.name = "label";
  return nullptr;
}
