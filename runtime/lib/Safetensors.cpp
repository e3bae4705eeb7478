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
#include <set>

using namespace nnrt;

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
  const Json *dtype = v.get("dtype"), *shape = v.get("shape"),
             *offsets = v.get("data_offsets");
  if (v.kind != Json::Object || !dtype || dtype->kind != Json::String ||
      !shape || shape->kind != Json::Array || !offsets ||
      offsets->kind != Json::Array || offsets->items.size() != 2)
    return nnrt_status_make("%s: tensor '%s': expected dtype, shape and "
                            "data_offsets in the header",
                            path, name.c_str());
  // Sizes and offsets are whole numbers that a double holds exactly.
  auto isCount = [](const Json &n) {
    return n.kind == Json::Number && n.number >= 0 && n.number <= 9e15 &&
           n.number == std::floor(n.number);
  };
  Shape dims;
  for (const Json &d : shape->items) {
    if (!isCount(d))
      return nnrt_status_make("%s: tensor '%s': bad shape", path, name.c_str());
    dims.push_back((int64_t)d.number);
  }
  if (dims.size() > NNRT_MAX_RANK)
    return nnrt_status_make("%s: tensor '%s': rank %zu is over the limit "
                            "of %d",
                            path, name.c_str(), dims.size(), NNRT_MAX_RANK);
  double b = offsets->items[0].number, en = offsets->items[1].number;
  if (!isCount(offsets->items[0]) || !isCount(offsets->items[1]) || en < b)
    return nnrt_status_make("%s: tensor '%s': bad data_offsets", path,
                            name.c_str());
  if (en > (double)dataSize)
    return nnrt_status_make("%s: truncated: tensor '%s' ends at byte %.0f "
                            "of the data, but the file has %zu data bytes",
                            path, name.c_str(), en, dataSize);
  e.name = name;
  e.dtype = dtype->text;
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
  if (!parseJson(text, header, error) || header.kind != Json::Object)
    return nnrt_status_make("%s: not a safetensors file (bad JSON header%s%s)",
                            path, error.empty() ? "" : ": ", error.c_str());
  auto file = std::make_unique<nnrt_safetensors_s>();
  const uint8_t *data = bytes.data() + 8 + n;
  size_t dataSize = bytes.size() - 8 - n;
  std::set<std::string> names; // a set: headers may list many tensors
  // Names and metadata are C strings to callers: a "\u0000" would cut them.
  auto hasNul = [](const std::string &s) {
    return s.find('\0') != std::string::npos;
  };
  for (auto &[name, v] : header.fields) {
    if (name == "__metadata__") {
      for (auto &[k, mv] : v.fields) {
        if (hasNul(k) || hasNul(mv.text))
          return nnrt_status_make("%s: __metadata__ '%s' contains a NUL "
                                  "character",
                                  path, k.c_str());
        file->metadata[k] = mv.kind == Json::String ? mv.text : "";
      }
      continue;
    }
    if (hasNul(name))
      return nnrt_status_make("%s: tensor name '%s' contains a NUL character",
                              path, name.c_str());
    if (!names.insert(name).second)
      return nnrt_status_make("%s: tensor '%s' appears twice", path,
                              name.c_str());
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
  std::string header = "{";
  if (metadata_count) {
    header += "\"__metadata__\":{";
    for (size_t i = 0; i < metadata_count; ++i)
      header += (i ? "," : "") + quoteJson(metadata_keys[i]) + ":" +
                quoteJson(metadata_values[i]);
    header += "}";
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
    header += (i || metadata_count ? "," : "") + quoteJson(names[i]) +
              ":{\"dtype\":\"" + dtype + "\",\"shape\":[";
    for (int r = 0; r < t->rank; ++r)
      header += (r ? "," : "") + std::to_string(t->shape[r]);
    header += "],\"data_offsets\":[" + std::to_string(offset) + "," +
              std::to_string(offset + bytes) + "]}";
    chunks.emplace_back(t->data, bytes);
    offset += bytes;
  }
  header += "}";
  header.append((8 - header.size() % 8) % 8, ' '); // keep the data aligned
  uint8_t len[8];
  for (int i = 0; i < 8; ++i)
    len[i] = (uint8_t)((uint64_t)header.size() >> (8 * i));
  chunks[0] = {len, 8};
  chunks[1] = {header.data(), header.size()};
  return writeFileAtomic(path, chunks);
}
