//===- Safetensors.cpp - the Hugging Face safetensors format --------------===//
//
// u64 little-endian header length, a JSON header {name: {dtype, shape,
// data_offsets}, "__metadata__": {str: str}}, then the data. Offsets are
// checked against the file before anything is allocated.
//
//===----------------------------------------------------------------------===//

#include "Internal.h"

#include <cmath>
#include <cstring>
#include <nlohmann/json.hpp>

using namespace nnrt;
using Json = nlohmann::ordered_json;

struct nnrt_safetensors_s {
  struct Entry {
    std::string name, dtype; // dtype as the file spells it ("F32")
    Tensor tensor;           // empty when the dtype is not readable here
  };
  std::vector<Entry> entries;
  std::map<std::string, std::string> metadata;
};

static const struct {
  const char *name;
  nnrt_dtype dtype;
} stTypes[] = {{"F32", NNRT_F32},
               {"F64", NNRT_F64},
               {"I32", NNRT_I32},
               {"I64", NNRT_I64},
               {"U8", NNRT_U8}};

static size_t foreignSize(const std::string &dtype) {
  if (dtype == "F16" || dtype == "BF16" || dtype == "I16" || dtype == "U16")
    return 2;
  if (dtype == "I8" || dtype == "BOOL" || dtype == "F8_E4M3" ||
      dtype == "F8_E5M2")
    return 1;
  if (dtype == "U32")
    return 4;
  if (dtype == "U64")
    return 8;
  return 0;
}

static Status readEntry(const char *path, const std::string &name,
                        const Json &v, const uint8_t *data, size_t dataSize,
                        nnrt_safetensors_s::Entry &e) {
  auto member = [&](const char *key) {
    auto it = v.is_object() ? v.find(key) : v.end();
    return it == v.end() ? nullptr : &*it;
  };
  const Json *dtype = member("dtype"), *shape = member("shape"),
             *offsets = member("data_offsets");
  if (!dtype || !dtype->is_string() || !shape || !shape->is_array() ||
      !offsets || !offsets->is_array() || offsets->size() != 2)
    return nnrt_status_make("%s: tensor '%s': expected dtype, shape and "
                            "data_offsets in the header",
                            path, name.c_str());
  // Sizes and offsets are whole numbers that a double holds exactly (1.0
  // is one; JSON does not tell integers from other numbers).
  auto isCount = [](const Json &n) {
    double d = n.is_number() ? n.get<double>() : -1;
    return d >= 0 && d <= 9e15 && d == std::floor(d);
  };
  Shape dims;
  for (const Json &d : *shape) {
    if (!isCount(d))
      return nnrt_status_make("%s: tensor '%s': bad shape", path, name.c_str());
    dims.push_back((int64_t)d.get<double>());
  }
  if (dims.size() > NNRT_MAX_RANK)
    return nnrt_status_make("%s: tensor '%s': rank %zu is over the limit "
                            "of %d",
                            path, name.c_str(), dims.size(), NNRT_MAX_RANK);
  if (!isCount((*offsets)[0]) || !isCount((*offsets)[1]))
    return nnrt_status_make("%s: tensor '%s': bad data_offsets", path,
                            name.c_str());
  double b = (*offsets)[0].get<double>(), en = (*offsets)[1].get<double>();
  if (en < b)
    return nnrt_status_make("%s: tensor '%s': bad data_offsets", path,
                            name.c_str());
  if (en > (double)dataSize)
    return nnrt_status_make("%s: truncated: tensor '%s' ends at byte %.0f "
                            "of the data, but the file has %zu data bytes",
                            path, name.c_str(), en, dataSize);
  e.name = name;
  e.dtype = dtype->get<std::string>();
  nnrt_dtype dt = NNRT_F32;
  size_t esize = foreignSize(e.dtype);
  bool readable = false;
  for (auto &t : stTypes)
    if (e.dtype == t.name)
      dt = t.dtype, esize = nnrt_dtype_size(dt), readable = true;
  if (!esize)
    return nnrt_status_make("%s: tensor '%s': unknown dtype '%s'", path,
                            name.c_str(), e.dtype.c_str());
  int64_t numel = checkedNumel(dims);
  size_t bytes = (size_t)(en - b);
  if (numel < 0)
    return nnrt_status_make("%s: tensor '%s': shape %s is too large", path,
                            name.c_str(), formatShape(dims).c_str());
  // numel is below 2^61 (checkedNumel), so the byte count fits a size_t.
  if ((size_t)numel * esize != bytes)
    return nnrt_status_make(
        "%s: tensor '%s': %s %s needs %zu bytes but data_offsets hold %zu",
        path, name.c_str(), e.dtype.c_str(), formatShape(dims).c_str(),
        (size_t)numel * esize, bytes);
  if (!readable) {
    // Keep the shape so callers can say "expected F32, found F16".
    e.tensor.t.rank = (int32_t)dims.size();
    for (size_t i = 0; i < dims.size(); ++i)
      e.tensor.t.shape[i] = dims[i];
    return nullptr;
  }
  NNRT_TRY(e.tensor.alloc(dt, dims));
  memcpy(e.tensor.t.data, data + (size_t)b, bytes);
  return nullptr;
}

Status nnrt::parseSafetensors(const char *path,
                              const std::vector<uint8_t> &bytes,
                              nnrt_safetensors &out) {
  out = nullptr;
  if (bytes.size() < 8)
    return nnrt_status_make("%s: not a safetensors file (shorter than 8 "
                            "bytes)",
                            path);
  uint64_t n = 0;
  for (int i = 7; i >= 0; --i)
    n = n << 8 | bytes[i];
  if (n > 100000000)
    return nnrt_status_make("%s: not a safetensors file (header length %llu "
                            "is too large)",
                            path, (unsigned long long)n);
  if (n > bytes.size() - 8)
    return nnrt_status_make("%s: truncated: the header needs %llu bytes, the "
                            "file has %zu after the length",
                            path, (unsigned long long)n, bytes.size() - 8);
  std::string text(bytes.begin() + 8, bytes.begin() + 8 + n);
  Json header;
  std::string error;
  if (!parseJson(text, header, error) || !header.is_object())
    return nnrt_status_make("%s: not a safetensors file (bad JSON header%s%s)",
                            path, error.empty() ? "" : ": ", error.c_str());
  auto file = std::make_unique<nnrt_safetensors_s>();
  const uint8_t *data = bytes.data() + 8 + n;
  size_t dataSize = bytes.size() - 8 - n;
  // Names and metadata are C strings to callers: a "\u0000" would cut them.
  auto hasNul = [](const std::string &s) {
    return s.find('\0') != std::string::npos;
  };
  // parseJson refuses a name that appears twice.
  for (auto &[name, v] : header.items()) {
    if (name == "__metadata__") {
      if (!v.is_object())
        continue;
      for (auto &[k, mv] : v.items()) {
        std::string value = mv.is_string() ? mv.get<std::string>() : "";
        if (hasNul(k) || hasNul(value))
          return nnrt_status_make("%s: __metadata__ '%s' contains a NUL "
                                  "character",
                                  path, k.c_str());
        file->metadata[k] = value;
      }
      continue;
    }
    if (hasNul(name))
      return nnrt_status_make("%s: tensor name '%s' contains a NUL character",
                              path, name.c_str());
    file->entries.emplace_back();
    NNRT_TRY(readEntry(path, name, v, data, dataSize, file->entries.back()));
  }
  out = file.release();
  return nullptr;
}

extern "C" nnrt_status nnrt_safetensors_read(const char *path,
                                             nnrt_safetensors *out_file) {
  *out_file = nullptr;
  return readAndParse(path, [&](const std::vector<uint8_t> &bytes) {
    return parseSafetensors(path, bytes, *out_file);
  });
}

extern "C" size_t nnrt_safetensors_count(nnrt_safetensors file) {
  return file->entries.size();
}

extern "C" const char *nnrt_safetensors_name(nnrt_safetensors file,
                                             size_t index) {
  return file->entries[index].name.c_str();
}

static const nnrt_safetensors_s::Entry *findEntry(nnrt_safetensors file,
                                                  const char *name) {
  for (auto &e : file->entries)
    if (e.name == name)
      return &e;
  return nullptr;
}

extern "C" const nnrt_tensor *nnrt_safetensors_find(nnrt_safetensors file,
                                                    const char *name) {
  auto *e = findEntry(file, name);
  return e ? &e->tensor.t : nullptr;
}

extern "C" const char *nnrt_safetensors_dtype(nnrt_safetensors file,
                                              const char *name) {
  auto *e = findEntry(file, name);
  return e ? e->dtype.c_str() : nullptr;
}

extern "C" const char *nnrt_safetensors_metadata(nnrt_safetensors file,
                                                 const char *key) {
  auto it = file->metadata.find(key);
  return it == file->metadata.end() ? nullptr : it->second.c_str();
}

extern "C" void nnrt_safetensors_free(nnrt_safetensors file) { delete file; }

extern "C" nnrt_status
nnrt_safetensors_write(const char *path, size_t count, const char *const *names,
                       const nnrt_tensor *const *tensors, size_t metadata_count,
                       const char *const *metadata_keys,
                       const char *const *metadata_values) {
  Json json = Json::object();
  if (metadata_count) {
    Json &meta = json["__metadata__"] = Json::object();
    for (size_t i = 0; i < metadata_count; ++i)
      meta[metadata_keys[i]] = metadata_values[i];
  }
  size_t offset = 0;
  std::vector<std::pair<const void *, size_t>> chunks(2);
  for (size_t i = 0; i < count; ++i) {
    const nnrt_tensor *t = tensors[i];
    const char *dtype = nullptr;
    for (auto &st : stTypes)
      if (st.dtype == t->dtype)
        dtype = st.name;
    size_t bytes = nnrt_tensor_numel(t) * nnrt_dtype_size(t->dtype);
    json[names[i]] = {
        {"dtype", dtype},
        {"shape", std::vector<int64_t>(t->shape, t->shape + t->rank)},
        {"data_offsets", {offset, offset + bytes}}};
    chunks.emplace_back(t->data, bytes);
    offset += bytes;
  }
  std::string header;
  try {
    header = json.dump();
  } catch (const Json::type_error &) {
    // The reader (any JSON reader) would refuse the file.
    return nnrt_status_make("%s: a tensor name or metadata text is not UTF-8",
                            path);
  }
  header.append((8 - header.size() % 8) % 8, ' '); // keep the data aligned
  uint8_t len[8];
  for (int i = 0; i < 8; ++i)
    len[i] = (uint8_t)((uint64_t)header.size() >> (8 * i));
  chunks[0] = {len, 8};
  chunks[1] = {header.data(), header.size()};
  return writeFileAtomic(path, chunks);
}
