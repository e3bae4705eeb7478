//===- Selftest.cpp - drive libnnrt's pieces from lit tests ---------------===//
//
// nnrt-selftest <what> ARGS... loads or writes one file with the runtime's
// own code and prints a short summary, so test/Runtime can check loaders
// and writers against NumPy. Errors print "error: <message>", exit 1.
//
//===----------------------------------------------------------------------===//

#include "Internal.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

using namespace nnrt;

static void printTensor(const char *label, const nnrt_tensor &t) {
  double sum = 0;
  int64_t n = nnrt_tensor_numel(&t);
  std::string first;
  for (int64_t i = 0; i < n; ++i) {
    double v = 0;
    switch (t.dtype) {
    case NNRT_F32:
      v = ((const float *)t.data)[i];
      break;
    case NNRT_F64:
      v = ((const double *)t.data)[i];
      break;
    case NNRT_I32:
      v = ((const int32_t *)t.data)[i];
      break;
    case NNRT_I64:
      v = (double)((const int64_t *)t.data)[i];
      break;
    case NNRT_U8:
      v = ((const uint8_t *)t.data)[i];
      break;
    }
    sum += v;
    if (i < 4) {
      char buf[32];
      snprintf(buf, sizeof buf, "%s%g", i ? "," : "", v);
      first += buf;
    }
  }
  printf("%s%s %s%s sum=%.6g first=%s\n", label, *label ? ":" : "",
         nnrt_dtype_name(t.dtype),
         formatShape(Shape(t.shape, t.shape + t.rank)).c_str(), sum,
         first.c_str());
}

static int check(nnrt_status s) {
  if (!s)
    return 0;
  printf("error: %s\n", nnrt_status_message(s));
  nnrt_status_free(s);
  return 1;
}

// The fixture the writers produce: a = arange(6) as f32 [2,3], b = [1,2,3,4]
// as i32.
static void fixture(Tensor &a, Tensor &b) {
  nnrt_status_free(a.alloc(NNRT_F32, {2, 3}));
  nnrt_status_free(b.alloc(NNRT_I32, {4}));
  for (int i = 0; i < 6; ++i)
    a.as<float>()[i] = (float)i;
  for (int i = 0; i < 4; ++i)
    b.as<int32_t>()[i] = i + 1;
}

static int runUnit() {
  int failures = 0;
  auto expect = [&](bool ok, const char *what) {
    if (!ok) {
      printf("FAIL: %s\n", what);
      ++failures;
    }
  };
  // parseJson: nlohmann-json, plus the refusals of Io.cpp.
  nlohmann::ordered_json j;
  std::string err;
  expect(
      parseJson("{\"a\\\"b\":[1,2.5e1,{\"c\":null}],\"t\":true}  ", j, err) &&
          j["a\"b"][1] == 25.0 && j["t"] == true,
      "json parses nested values and escapes");
  expect(!parseJson("{\"a\":1,}", j, err) &&
             err.rfind("line 1, column 8: syntax error", 0) == 0,
         "json rejects a trailing comma, saying where");
  // Numbers and escapes as RFC 8259 has them.
  for (const char *bad :
       {"-nan", "nan", "Infinity", "0x10", "+1", "1e999", ".5", "1.", "1e",
        "01x", "\"\\u-001\"", "\"\\u12\"", "\"\\u 0x1\"", "\"\\ud83d\"",
        "\"\\ude00\"", "\"\xff\""})
    expect(!parseJson(bad, j, err) && !err.empty(), bad);
  expect(parseJson("[-0, 0.5, 12e-2, 1E+3, \"\\u00e9\", \"\\ud83d\\ude00\"]", j,
                   err) &&
             j[2] == 0.12 && j[3] == 1000.0 && j[4] == "\xc3\xa9" &&
             j[5] == "\xf0\x9f\x98\x80",
         "json reads numbers, \\u escapes and surrogate pairs");
  expect(!parseJson(std::string(200, '['), j, err) &&
             err.find("deeply") != std::string::npos,
         "json limits nesting");
  expect(parseJson(std::string(65, '[') + std::string(65, ']'), j, err),
         "json takes 65 levels");
  expect(!parseJson("{\"a\":{\"b\":1,\"b\":2}}", j, err) &&
             err == "key 'b' appears twice",
         "json refuses a repeated key");
  expect(parseJson("{\"a\":{\"b\":1},\"c\":{\"b\":2}}", j, err),
         "json takes one key in two objects");
  std::vector<int64_t> o1 = shuffleOrder(1000, 42, 3),
                       o2 = shuffleOrder(1000, 42, 3),
                       o3 = shuffleOrder(1000, 42, 4);
  std::vector<int64_t> sorted = o1;
  std::sort(sorted.begin(), sorted.end());
  bool perm = true;
  for (int64_t i = 0; i < 1000; ++i)
    perm &= sorted[i] == i;
  expect(perm, "shuffle is a permutation");
  expect(o1 == o2 && o1 != o3, "shuffle is a pure function of (seed, epoch)");

  Tensor t;
  nnrt_status_free(t.alloc(NNRT_F32, {2, 3}));
  int64_t w[7];
  nnrt_memref_describe(&t.t, w);
  expect(nnrt_memref_words(2) == 7 && w[3] == 2 && w[4] == 3 && w[5] == 3 &&
             w[6] == 1 && w[2] == 0,
         "memref descriptor sizes and strides");
  Tensor big;
  nnrt_status s = big.alloc(NNRT_F32, {1ll << 40, 1ll << 40});
  expect(s != nullptr, "huge allocations fail with a status");
  nnrt_status_free(s);

  // Checkpoint metadata: the seed keeps all 64 bits; counts that overflow
  // and a non-finite loss sum are refused, not clamped or taken.
  auto checkpoint = [](const std::string &meta) {
    std::string h = "{\"__metadata__\":{" + meta +
                    "},\"w\":{\"dtype\":\"F32\",\"shape\":[1],"
                    "\"data_offsets\":[0,4]},\"optimizer.w.momentum\":{"
                    "\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}";
    std::vector<uint8_t> bytes(8 + h.size() + 8, 0);
    for (int i = 0; i < 8; ++i)
      bytes[i] = (uint8_t)((uint64_t)h.size() >> (8 * i));
    memcpy(bytes.data() + 8, h.data(), h.size());
    Session s;
    nnrt_status_free(parseManifest(
        R"({"format": "nnc-manifest", "version": 2,
            "inputs": [{"name": "x", "dtype": "f32", "shape": [-1, 1]}],
            "outputs": [{"dtype": "f32", "shape": [-1, 1]}],
            "params": [{"name": "w", "dtype": "f32", "shape": [1]}],
            "train": {"loss": "mse",
                      "optimizer": {"kind": "sgd", "momentum": 0.9}},
            "optimizer_state": [{"param": "w", "slot": "momentum",
                                 "dtype": "f32", "shape": [1]}]})",
        s.m));
    nnrt_status st = s.loadBytes("ck", bytes);
    std::string msg = st ? nnrt_status_message(st) : "";
    nnrt_status_free(st);
    return std::make_pair(msg, s.seed);
  };
  auto seed = checkpoint(
      "\"step\":\"3\",\"epoch\":\"1\",\"seed\":\"18446744073709551615\"");
  expect(seed.first.empty() && seed.second == UINT64_MAX,
         "a checkpoint's seed keeps all 64 bits");
  expect(checkpoint("\"step\":\"99999999999999999999\",\"epoch\":\"1\"")
                 .first.find("valid step") != std::string::npos,
         "a checkpoint's step that overflows is refused");
  expect(
      checkpoint("\"step\":\"-1\",\"epoch\":\"1\"").first.find("valid step") !=
          std::string::npos,
      "a negative step is refused");
  expect(checkpoint("\"step\":\"3\",\"epoch\":\"1\",\"epoch_samples\":\"2\","
                    "\"epoch_loss_sum\":\"nan\"")
                 .first.find("epoch_loss_sum") != std::string::npos,
         "a checkpoint's nan epoch_loss_sum is refused");
  printf(failures ? "unit: %d failures\n" : "unit: ok\n", failures);
  return failures != 0;
}

int runCudaSelftest(int argc, char **argv); // CudaSelftest.cpp

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: nnrt-selftest unit | idx F | npy F | npy-write F "
                    "| csv F LABEL auto|true|false | safetensors F | "
                    "safetensors-write F | init NAME SEED D0,D1 SPEC... | "
                    "shuffle N SEED EPOCH | manifest F | cuda ...\n");
    return 2;
  }
  std::string what = argv[1];
  const char *path = argc > 2 ? argv[2] : "";
  if (what == "unit")
    return runUnit();
  if (what == "cuda")
    return runCudaSelftest(argc, argv);
  if (what == "idx" || what == "npy") {
    Tensor t;
    if (check(what == "idx" ? nnrt_idx_read(path, &t.t)
                            : nnrt_npy_read(path, &t.t)))
      return 1;
    printTensor("", t.t);
    return 0;
  }
  if (what == "npy-write" || what == "safetensors-write") {
    Tensor a, b;
    fixture(a, b);
    if (what == "npy-write")
      return check(nnrt_npy_write(path, &a.t));
    const char *names[] = {"a", "b"};
    const nnrt_tensor *tensors[] = {&a.t, &b.t};
    const char *keys[] = {"step"}, *values[] = {"7"};
    return check(
        nnrt_safetensors_write(path, 2, names, tensors, 1, keys, values));
  }
  if (what == "csv" && argc == 5) {
    Tensor x, y;
    nnrt_csv_header h = !strcmp(argv[4], "true")    ? NNRT_CSV_HEADER_TRUE
                        : !strcmp(argv[4], "false") ? NNRT_CSV_HEADER_FALSE
                                                    : NNRT_CSV_HEADER_AUTO;
    if (check(nnrt_csv_read(path, atoll(argv[3]), h, &x.t, &y.t)))
      return 1;
    printTensor("features", x.t);
    printTensor("labels", y.t);
    return 0;
  }
  if (what == "safetensors") {
    nnrt_safetensors f = nullptr;
    if (check(nnrt_safetensors_read(path, &f)))
      return 1;
    for (size_t i = 0; i < nnrt_safetensors_count(f); ++i) {
      const char *name = nnrt_safetensors_name(f, i);
      const nnrt_tensor *t = nnrt_safetensors_find(f, name);
      if (t->data)
        printTensor(name, *t);
      else
        printf("%s: %s (not readable)\n", name,
               nnrt_safetensors_dtype(f, name));
    }
    if (const char *step = nnrt_safetensors_metadata(f, "step"))
      printf("metadata step=%s\n", step);
    nnrt_safetensors_free(f);
    return 0;
  }
  if (what == "init" && argc >= 5) {
    Shape shape;
    for (char *p = argv[4]; *p;) {
      shape.push_back(strtoll(p, &p, 10));
      if (*p == ',')
        ++p;
    }
    std::string spec;
    for (int i = 5; i < argc; ++i)
      spec += std::string(i > 5 ? " " : "") + argv[i];
    Tensor t;
    if (check(t.alloc(NNRT_F32, shape)) ||
        check(nnrt_init_fill(argv[2], spec.c_str(), strtoull(argv[3], 0, 10),
                             &t.t)))
      return 1;
    for (int64_t i = 0; i < t.numel(); ++i)
      printf("%.9g\n", t.as<float>()[i]);
    return 0;
  }
  if (what == "shuffle" && argc == 5) {
    for (int64_t i :
         shuffleOrder(atoll(argv[2]), strtoull(argv[3], 0, 10), atoll(argv[4])))
      printf("%lld\n", (long long)i);
    return 0;
  }
  if (what == "manifest") {
    std::vector<uint8_t> bytes;
    if (check(readFile(path, bytes)))
      return 1;
    std::string text(bytes.begin(), bytes.end());
    Manifest m;
    if (check(parseManifest(text.c_str(), m)))
      return 1;
    printf("model %s inputs %zu outputs %zu params %zu states %zu train %d\n",
           m.model.c_str(), m.inputs.size(), m.outputs.size(), m.params.size(),
           m.states.size(), (int)m.hasTrain);
    if (m.device != "cpu")
      printf("device %s %s\n", m.device.c_str(), m.deviceArch.c_str());
    // What the reader made of each part, for test/Runtime/manifest.test.
    auto spec = [](const TensorSpec &t) {
      return std::string(nnrt_dtype_name(t.dtype)) + formatShape(t.shape);
    };
    for (const TensorSpec &t : m.inputs)
      printf("input %s %s\n", t.name.c_str(), spec(t).c_str());
    for (const ParamSpec &p : m.params)
      printf("param %s %s %s\n", p.name.c_str(), spec(p).c_str(),
             p.init.c_str());
    if (m.hasTrain) {
      printf("train loss=%s batch=%lld epochs=%lld seed=%llu shuffle=%d\n",
             m.loss.c_str(), (long long)m.batch, (long long)m.epochs,
             (unsigned long long)m.seed, (int)m.shuffle);
      printf("optimizer %s lr=%s:", m.optimizer.c_str(),
             formatNumber(m.lr).c_str());
      for (auto &[k, v] : m.optimizerArgs)
        printf(" %s=%s", k.c_str(), v.c_str());
      printf("\nlabel %s\n", spec(m.label).c_str());
    }
    for (const DataSpec *d : {&m.data, &m.test})
      if (d->present) {
        printf("%s %s dir=%s scale=%s label=%lld header=%s files:",
               d == &m.data ? "data" : "test", d->kind.c_str(), d->dir.c_str(),
               formatNumber(d->scale).c_str(), (long long)d->label,
               d->header.c_str());
        for (const std::string &f : d->files)
          printf(" %s", f.c_str());
        printf("\n");
      }
    for (const StateSpec &st : m.states)
      printf("state %s %s\n", st.name.c_str(), spec(st).c_str());
    printf("entries:");
    for (const std::string &e : m.entries)
      printf(" %s", e.c_str());
    printf("\n");
    printf("build:");
    for (auto &[k, v] : m.buildFlags)
      printf(" %s=%s", k.c_str(), v.c_str());
    printf("\n");
    for (const std::string &line : m.other)
      printf("other %s\n", line.c_str());
    return 0;
  }
  fprintf(stderr, "nnrt-selftest: unknown or incomplete command '%s'\n",
          what.c_str());
  return 2;
}
