//===- Json.cpp - a small JSON reader for safetensors headers -------------===//

#include "Internal.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

using namespace nnrt;

const Json *Json::get(const std::string &key) const {
  for (auto &[k, v] : fields)
    if (k == key)
      return &v;
  return nullptr;
}

namespace {
struct Parser {
  const std::string &s;
  size_t i = 0;
  std::string error;

  bool fail(const char *what) {
    if (error.empty())
      error = "at byte " + std::to_string(i) + ": " + what;
    return false;
  }
  void skipSpace() {
    while (i < s.size() &&
           (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
      ++i;
  }
  bool literal(const char *word) {
    size_t n = strlen(word);
    if (s.compare(i, n, word) != 0)
      return fail("unexpected character");
    i += n;
    return true;
  }
  static void appendUtf8(std::string &out, unsigned c) {
    if (c < 0x80) {
      out += (char)c;
    } else if (c < 0x800) {
      out += (char)(0xc0 | (c >> 6));
      out += (char)(0x80 | (c & 0x3f));
    } else {
      out += (char)(0xe0 | (c >> 12));
      out += (char)(0x80 | ((c >> 6) & 0x3f));
      out += (char)(0x80 | (c & 0x3f));
    }
  }
  bool string(std::string &out) {
    if (i >= s.size() || s[i] != '"')
      return fail("expected a string");
    ++i;
    while (i < s.size() && s[i] != '"') {
      char c = s[i++];
      if (c != '\\') {
        out += c;
        continue;
      }
      if (i >= s.size())
        break;
      char e = s[i++];
      switch (e) {
      case 'n':
        out += '\n';
        break;
      case 't':
        out += '\t';
        break;
      case 'r':
        out += '\r';
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'u': {
        // Four hex digits: strtoul would also take "-1", " +f" and "0x1".
        if (i + 4 > s.size() ||
            s.find_first_not_of("0123456789abcdefABCDEF", i) < i + 4)
          return fail("bad \\u escape");
        unsigned c = (unsigned)strtoul(s.substr(i, 4).c_str(), nullptr, 16);
        i += 4;
        appendUtf8(out, c);
        break;
      }
      default:
        out += e;
      }
    }
    if (i >= s.size())
      return fail("unterminated string");
    ++i;
    return true;
  }
  bool value(Json &v, int depth) {
    if (depth > 64)
      return fail("nested too deeply");
    skipSpace();
    if (i >= s.size())
      return fail("unexpected end");
    char c = s[i];
    if (c == '{') {
      v.kind = Json::Object;
      ++i;
      skipSpace();
      if (i < s.size() && s[i] == '}')
        return ++i, true;
      for (;;) {
        skipSpace();
        std::string key;
        if (!string(key))
          return false;
        skipSpace();
        if (i >= s.size() || s[i] != ':')
          return fail("expected ':'");
        ++i;
        Json item;
        if (!value(item, depth + 1))
          return false;
        v.fields.emplace_back(std::move(key), std::move(item));
        skipSpace();
        if (i < s.size() && s[i] == ',') {
          ++i;
          continue;
        }
        if (i < s.size() && s[i] == '}')
          return ++i, true;
        return fail("expected ',' or '}'");
      }
    }
    if (c == '[') {
      v.kind = Json::Array;
      ++i;
      skipSpace();
      if (i < s.size() && s[i] == ']')
        return ++i, true;
      for (;;) {
        Json item;
        if (!value(item, depth + 1))
          return false;
        v.items.push_back(std::move(item));
        skipSpace();
        if (i < s.size() && s[i] == ',') {
          ++i;
          continue;
        }
        if (i < s.size() && s[i] == ']')
          return ++i, true;
        return fail("expected ',' or ']'");
      }
    }
    if (c == '"') {
      v.kind = Json::String;
      return string(v.text);
    }
    if (c == 't' || c == 'f') {
      v.kind = Json::Bool;
      v.boolean = c == 't';
      return literal(c == 't' ? "true" : "false");
    }
    if (c == 'n')
      return literal("null");
    return number(v);
  }
  size_t digits(size_t &j) const {
    size_t from = j;
    while (j < s.size() && s[j] >= '0' && s[j] <= '9')
      ++j;
    return j - from;
  }
  // RFC 8259's grammar: strtod alone would also take nan, inf, hex and "+1".
  bool number(Json &v) {
    size_t j = i;
    if (j < s.size() && s[j] == '-')
      ++j;
    if (j < s.size() && s[j] == '0')
      ++j;
    else if (!digits(j))
      return fail("unexpected character");
    if (j < s.size() && s[j] == '.' && !digits(++j))
      return fail("bad number");
    if (j < s.size() && (s[j] == 'e' || s[j] == 'E')) {
      if (++j < s.size() && (s[j] == '+' || s[j] == '-'))
        ++j;
      if (!digits(j))
        return fail("bad number");
    }
    v.kind = Json::Number;
    v.number = strtod(s.substr(i, j - i).c_str(), nullptr);
    if (!std::isfinite(v.number))
      return fail("number out of range");
    i = j;
    return true;
  }
};
} // namespace

bool nnrt::parseJson(const std::string &text, Json &out, std::string &error) {
  Parser p{text, 0, ""};
  if (!p.value(out, 0)) {
    error = p.error;
    return false;
  }
  p.skipSpace();
  if (p.i != text.size()) {
    p.fail("trailing characters after the JSON value");
    error = p.error;
    return false;
  }
  return true;
}

std::string nnrt::quoteJson(const std::string &s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += (char)c;
    } else if (c < 0x20) {
      char buf[8];
      snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += (char)c;
    }
  }
  return out + "\"";
}
