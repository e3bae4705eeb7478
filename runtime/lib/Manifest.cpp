//===- Manifest.cpp - parse the nnc_manifest text -------------------------===//
//
// The format is in docs/design.md ("Manifest"): tab-separated fields, one
// record per line. Lines this runtime does not know are kept for `info`.
//
//===----------------------------------------------------------------------===//

#include "Internal.h"

#include <cstdlib>
#include <sstream>

using namespace nnrt;

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

static std::vector<std::string> split(const std::string &s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  std::istringstream in(s);
  while (std::getline(in, cur, sep))
    out.push_back(cur);
  if (!s.empty() && s.back() == sep)
    out.push_back("");
  return out;
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

static bool parseInt(const std::string &s, int64_t &out) {
  char *end = nullptr;
  out = strtoll(s.c_str(), &end, 10);
  return !s.empty() && !*end;
}

// Dimensions are sizes, or -1 for the batch as the first dimension of an
// input, output or target (`batched`). "" when the shape is good, else why.
static std::string parseShape(const std::string &s, bool batched, Shape &out) {
  out.clear();
  if (s.empty())
    return "";
  for (auto &d : split(s, ',')) {
    int64_t v;
    if (!parseInt(d, v) || v < -1)
      return "bad shape '" + s + "'";
    if (v == -1 && !(batched && out.empty()))
      return "bad shape '" + s + "': only " +
             (batched ? "the first dimension" : "an input, output or target") +
             " can be the batch (-1)";
    out.push_back(v);
  }
  if (out.size() > NNRT_MAX_RANK)
    return "shape '" + s + "' has rank " + std::to_string(out.size()) +
           ", over the runtime's limit of " + std::to_string(NNRT_MAX_RANK);
  Shape one = out;
  if (!one.empty() && one[0] == -1)
    one[0] = 1;
  if (checkedNumel(one) < 0)
    return "shape '" + s + "' is too large";
  return "";
}

namespace {
/// One manifest line with its position, for messages.
struct Line {
  int number;
  std::vector<std::string> f;
  std::string error;
  bool fail(const std::string &what) {
    error =
        "manifest line " + std::to_string(number) + " (" + f[0] + "): " + what;
    return false;
  }
  /// A dtype and a shape at `at`; `batched` for inputs, outputs, target.
  bool tensor(size_t at, TensorSpec &t, bool batched) {
    if (f.size() < at + 2)
      return fail("expected a dtype and a shape");
    if (!parseDtype(f[at], t.dtype))
      return fail("unknown dtype '" + f[at] + "'");
    std::string why = parseShape(f[at + 1], batched, t.shape);
    return why.empty() || fail(why);
  }
  /// key=value fields from `at` on.
  bool keys(size_t at, std::vector<std::pair<std::string, std::string>> &kv) {
    for (size_t i = at; i < f.size(); ++i) {
      size_t eq = f[i].find('=');
      if (eq == std::string::npos)
        return fail("expected key=value, found '" + f[i] + "'");
      kv.emplace_back(f[i].substr(0, eq), f[i].substr(eq + 1));
    }
    return true;
  }
};
} // namespace

static bool parseData(Line &l, DataSpec &d) {
  if (l.f.size() < 2)
    return l.fail("expected a data kind");
  d.present = true;
  d.kind = l.f[1];
  std::vector<std::pair<std::string, std::string>> kv;
  if (!l.keys(2, kv))
    return false;
  for (auto &[k, v] : kv) {
    if (k == "dir")
      d.dir = v;
    else if (k == "file")
      d.files.push_back(v);
    else if (k == "scale")
      d.scale = strtod(v.c_str(), nullptr);
    else if (k == "label" && !parseInt(v, d.label))
      return l.fail("bad label '" + v + "'");
    else if (k == "header")
      d.header = v;
  }
  return true;
}

static bool parseLine(Line &l, Manifest &m) {
  const std::string &key = l.f[0];
  auto &f = l.f;
  if (key == "model") {
    m.model = f.size() > 1 ? f[1] : "";
  } else if (key == "input") {
    TensorSpec t;
    if (f.size() < 2)
      return l.fail("expected a name");
    t.name = f[1];
    if (!l.tensor(2, t, true))
      return false;
    m.inputs.push_back(t);
  } else if (key == "output") {
    TensorSpec t;
    // Either "output DTYPE SHAPE" or "output NAME DTYPE SHAPE".
    nnrt_dtype d;
    size_t at = f.size() > 1 && parseDtype(f[1], d) ? 1 : 2;
    if (!l.tensor(at, t, true))
      return false;
    if (at == 2)
      t.name = f[1];
    m.outputs.push_back(t);
  } else if (key == "param") {
    ParamSpec p;
    if (f.size() < 5)
      return l.fail("expected name, dtype, shape and initializer");
    p.name = f[1];
    if (!l.tensor(2, p, false))
      return false;
    for (size_t i = 4; i < f.size(); ++i)
      p.init += (i > 4 ? " " : "") + f[i];
    m.params.push_back(p);
  } else if (key == "train") {
    m.hasTrain = true;
    std::vector<std::pair<std::string, std::string>> kv;
    if (!l.keys(1, kv))
      return false;
    for (auto &[k, v] : kv) {
      int64_t n = 0;
      if (k == "loss")
        m.loss = v;
      // Keys this runtime does not use are skipped, whatever their value.
      if (k != "batch" && k != "epochs" && k != "seed" && k != "shuffle")
        continue;
      if (!parseInt(v, n))
        return l.fail("bad value '" + v + "' for " + k);
      if (k == "batch")
        m.batch = n;
      else if (k == "epochs")
        m.epochs = n;
      else if (k == "seed")
        m.seed = (uint64_t)n;
      else
        m.shuffle = n != 0;
    }
  } else if (key == "optimizer") {
    if (f.size() < 2)
      return l.fail("expected an optimizer kind");
    m.optimizer = f[1];
    if (!l.keys(2, m.optimizerArgs))
      return false;
    for (auto &[k, v] : m.optimizerArgs)
      if (k == "lr")
        m.lr = strtod(v.c_str(), nullptr);
  } else if (key == "data" || key == "test") {
    return parseData(l, key == "data" ? m.data : m.test);
  } else if (key == "target") {
    return l.tensor(1, m.target, true);
  } else if (key == "state") {
    StateSpec s;
    if (f.size() < 5)
      return l.fail("expected param, slot, dtype and shape");
    s.param = f[1];
    s.slot = f[2];
    s.name = "optimizer." + s.param + "." + s.slot;
    if (!l.tensor(3, s, false))
      return false;
    m.states.push_back(s);
  } else if (key == "device") {
    // "device cuda sm_90": a --target=cuda build and the GPU it was built for.
    if (f.size() != 3 || f[1] != "cuda" || f[2].rfind("sm_", 0) != 0 ||
        f[2].size() < 5)
      return l.fail("expected 'device<TAB>cuda<TAB>sm_NN'");
    m.device = f[1];
    m.deviceArch = f[2];
  } else if (key == "build") {
    return l.keys(1, m.buildFlags);
  } else if (key == "cost") {
    std::vector<std::pair<std::string, std::string>> kv;
    if (!l.keys(1, kv))
      return false;
    for (auto &[k, v] : kv) {
      int64_t n = 0;
      if (!parseInt(v, n) || n < 0)
        return l.fail("bad value '" + v + "' for " + k);
      if (k == "batch")
        m.costBatch = n;
      else if (k == "forward_flops")
        m.forwardFlops = (double)n;
      else if (k == "step_flops")
        m.stepFlops = (double)n;
      else if (k == "activation_bytes")
        m.activationBytes = (double)n;
    }
  } else if (key == "line_cost") {
    LineCost c;
    int64_t flops = 0;
    if (f.size() < 4 || !parseInt(f[2], c.line) || !parseInt(f[3], flops))
      return l.fail("expected file, line, FLOPs and the source text");
    c.file = f[1];
    c.flops = (double)flops;
    c.text = f.size() > 4 ? f[4] : "";
    m.lineCosts.push_back(c);
  } else if (key == "entry") {
    if (f.size() > 1)
      m.entries.push_back(f[1]);
  } else {
    std::string text;
    for (size_t i = 0; i < f.size(); ++i)
      text += (i ? " " : "") + f[i];
    m.other.push_back(text);
  }
  return true;
}

Status nnrt::parseManifest(const char *text, Manifest &out) {
  out = Manifest();
  if (!text)
    return nnrt_status_make("the model has no manifest");
  std::istringstream in(text);
  std::string raw;
  int number = 0;
  while (std::getline(in, raw)) {
    ++number;
    if (!raw.empty() && raw.back() == '\r')
      raw.pop_back();
    if (raw.empty() && number > 1)
      continue;
    Line l{number, split(raw, '\t'), ""};
    if (number == 1) {
      if (l.f.size() < 2 || l.f[0] != "nnc-manifest")
        return nnrt_status_make("manifest: expected 'nnc-manifest<TAB>1' on "
                                "the first line");
      if (l.f[1] != "1")
        return nnrt_status_make("manifest: version %s is not supported by "
                                "this runtime (expected 1)",
                                l.f[1].c_str());
      continue;
    }
    if (!parseLine(l, out))
      return nnrt_status_make("%s", l.error.c_str());
  }
  if (out.inputs.empty() || out.outputs.empty())
    return nnrt_status_make("manifest: needs at least one input and output");
  // Without a target line: class indices for cross_entropy, else the output.
  if (out.hasTrain && out.target.shape.empty()) {
    out.target = out.outputs[0];
    if (out.loss == "cross_entropy")
      out.target = TensorSpec{"target", NNRT_I32, {-1}};
  }
  out.target.name = "target";
  return nullptr;
}
