//===- Csv.cpp - numeric CSV with a label column --------------------------===//

#include "Internal.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>

using namespace nnrt;

namespace {
enum class Field { Number, Empty, Text, NonFinite, TooLarge };
}

// Values become f32, so nan, inf and what overflows f32 (1e999, 1e39) are
// refused here, where the file, line and column can be named.
static Field parseNumber(const std::string &field, double &out) {
  if (field.empty())
    return Field::Empty;
  const char *p = field.c_str();
  char *end = nullptr;
  out = strtod(p, &end);
  if (end == p || *end != '\0')
    return Field::Text;
  if (std::isnan(out) || (std::isinf(out) && errno != ERANGE))
    return Field::NonFinite;
  if (!std::isfinite((float)out))
    return Field::TooLarge;
  return Field::Number;
}

static nnrt_status badField(const char *path, int line, size_t column,
                            const std::string &text, Field kind, bool hint) {
  if (kind == Field::Empty)
    return nnrt_status_make("%s:%d: column %zu is empty", path, line,
                            column + 1);
  const char *what = kind == Field::NonFinite  ? "is not a finite number"
                     : kind == Field::TooLarge ? "is outside the f32 range"
                                               : "is not a number";
  return nnrt_status_make("%s:%d: column %zu: '%s' %s%s", path, line,
                          column + 1, text.c_str(), what,
                          hint ? " (if row 1 is a header, give csv() "
                                 "header = true)"
                               : "");
}

// Splits one line into trimmed fields (surrounding quotes dropped).
static std::vector<std::string> splitFields(const std::string &line) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    size_t comma = line.find(',', start);
    std::string f = line.substr(
        start, comma == std::string::npos ? std::string::npos : comma - start);
    size_t a = f.find_first_not_of(" \t"), b = f.find_last_not_of(" \t");
    f = a == std::string::npos ? "" : f.substr(a, b - a + 1);
    if (f.size() >= 2 && f.front() == '"' && f.back() == '"')
      f = f.substr(1, f.size() - 2);
    out.push_back(f);
    if (comma == std::string::npos)
      return out;
    start = comma + 1;
  }
}

Status nnrt::parseCsv(const char *path, const std::vector<uint8_t> &bytes,
                      int64_t label, nnrt_csv_header header, Tensor &features,
                      Tensor &labels) {
  if (!bytes.empty() && memchr(bytes.data(), 0, bytes.size()))
    return nnrt_status_make("%s: not a text file (found a NUL byte)", path);
  std::string text(bytes.begin(), bytes.end());

  std::vector<double> values;
  size_t columns = 0;
  int64_t rows = 0;
  size_t pos = 0;
  bool first = true;
  for (int lineNo = 1; pos < text.size(); ++lineNo) {
    size_t nl = text.find('\n', pos);
    std::string line = text.substr(
        pos, nl == std::string::npos ? std::string::npos : nl - pos);
    pos = nl == std::string::npos ? text.size() : nl + 1;
    if (!line.empty() && line.back() == '\r')
      line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos)
      continue;
    std::vector<std::string> fields = splitFields(line);
    std::vector<double> row(fields.size());
    std::vector<Field> kinds(fields.size());
    int bad = -1;
    bool anyNumber = false;
    for (size_t i = 0; i < fields.size(); ++i) {
      errno = 0;
      kinds[i] = parseNumber(fields[i], row[i]);
      anyNumber |= kinds[i] != Field::Text && kinds[i] != Field::Empty;
      if (bad < 0 && kinds[i] != Field::Number)
        bad = (int)i;
    }
    bool firstRow = first;
    if (first) {
      first = false;
      columns = fields.size();
      // auto: a header has no numbers. A first row mixing numbers with
      // text or empty fields is an error, never silently dropped.
      if (header == NNRT_CSV_HEADER_TRUE ||
          (header == NNRT_CSV_HEADER_AUTO && !anyNumber))
        continue;
    }
    if (fields.size() != columns)
      return nnrt_status_make("%s:%d: expected %zu columns, found %zu", path,
                              lineNo, columns, fields.size());
    if (bad >= 0)
      return badField(path, lineNo, bad, fields[bad], kinds[bad],
                      firstRow && header == NNRT_CSV_HEADER_AUTO &&
                          kinds[bad] == Field::Text);
    values.insert(values.end(), row.begin(), row.end());
    ++rows;
  }
  if (rows == 0)
    return nnrt_status_make("%s: no data rows", path);
  int64_t k = (int64_t)columns;
  int64_t col = label < 0 ? k + label : label;
  if (col < 0 || col >= k)
    return nnrt_status_make("%s: label column %lld is out of range for %lld "
                            "columns",
                            path, (long long)label, (long long)k);
  NNRT_TRY(features.alloc(NNRT_F32, {rows, k - 1}));
  NNRT_TRY(labels.alloc(NNRT_F64, {rows}));
  float *f = features.as<float>();
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < k; ++c) {
      double v = values[r * k + c];
      if (c == col)
        labels.as<double>()[r] = v;
      else
        *f++ = (float)v;
    }
  return nullptr;
}

extern "C" nnrt_status nnrt_csv_read(const char *path, int64_t label,
                                     nnrt_csv_header header,
                                     nnrt_tensor *out_features,
                                     nnrt_tensor *out_labels) {
  *out_features = nnrt_tensor{};
  *out_labels = nnrt_tensor{};
  Tensor features, labels;
  NNRT_TRY(readAndParse(path, [&](const std::vector<uint8_t> &bytes) {
    return parseCsv(path, bytes, label, header, features, labels);
  }));
  *out_features = features.t;
  *out_labels = labels.t;
  features.t = labels.t = nnrt_tensor{};
  return nullptr;
}
