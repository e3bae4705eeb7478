//===- Io.cpp - whole-file reads (gzip-aware), atomic writes, JSON -------===//

#include "Internal.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <new>
#include <nlohmann/json.hpp>
#include <set>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

using namespace nnrt;

static Status inflateAll(const std::string &path, std::vector<uint8_t> &in,
                         std::vector<uint8_t> &out) {
  z_stream z{};
  if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
    return nnrt_status_make("%s: cannot start gzip decompression",
                            path.c_str());
  z.next_in = in.data();
  z.avail_in = (uInt)in.size();
  out.resize(in.size() * 4 + 1024);
  int rc = Z_OK;
  for (;;) {
    if (z.total_out == out.size())
      out.resize(out.size() * 2);
    z.next_out = out.data() + z.total_out;
    z.avail_out = (uInt)std::min<size_t>(out.size() - z.total_out, 1u << 30);
    rc = inflate(&z, Z_NO_FLUSH);
    if (rc == Z_STREAM_END) {
      // Concatenated gzip members are one file (as gunzip reads them).
      if (z.avail_in == 0)
        break;
      size_t done = z.total_out;
      inflateReset(&z);
      z.total_out = done;
      continue;
    }
    if (rc == Z_BUF_ERROR && z.avail_in == 0)
      break; // ran out of input before the end of the stream
    if (rc != Z_OK && rc != Z_BUF_ERROR)
      break;
  }
  std::string msg = z.msg ? z.msg : "";
  size_t total = z.total_out;
  inflateEnd(&z);
  if (rc != Z_STREAM_END) {
    if (rc == Z_BUF_ERROR || rc == Z_OK)
      return nnrt_status_make("%s: truncated gzip data", path.c_str());
    return nnrt_status_make("%s: corrupt gzip data (%s)", path.c_str(),
                            msg.empty() ? "inflate failed" : msg.c_str());
  }
  out.resize(total);
  return nullptr;
}

Status nnrt::readFile(const std::string &path, std::vector<uint8_t> &out) {
  FILE *f = fopen(path.c_str(), "rb");
  if (!f)
    return nnrt_status_make("%s: cannot open: %s", path.c_str(),
                            strerror(errno));
  struct stat st;
  if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
    fclose(f);
    return nnrt_status_make("%s: is a directory, expected a file",
                            path.c_str());
  }
  std::vector<uint8_t> raw;
  uint8_t buf[1 << 16];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, f)) > 0)
    raw.insert(raw.end(), buf, buf + n);
  bool bad = ferror(f);
  fclose(f);
  if (bad)
    return nnrt_status_make("%s: read error", path.c_str());
  out = std::move(raw);
  return inflateIfGzip(path, out);
}

Status nnrt::readAndParse(
    const std::string &path,
    const std::function<Status(const std::vector<uint8_t> &)> &parse) {
  try {
    std::vector<uint8_t> bytes;
    NNRT_TRY(readFile(path, bytes));
    return parse(bytes);
  } catch (const std::bad_alloc &) {
    return nnrt_status_make("%s: out of memory reading the file (is it, or "
                            "the data it inflates to, larger than memory?)",
                            path.c_str());
  }
}

Status nnrt::readTensorFile(const char *path,
                            Status (*parse)(const char *,
                                            const std::vector<uint8_t> &,
                                            Tensor &),
                            nnrt_tensor *out) {
  *out = nnrt_tensor{};
  Tensor t;
  NNRT_TRY(readAndParse(path, [&](const std::vector<uint8_t> &bytes) {
    return parse(path, bytes, t);
  }));
  *out = t.t;
  t.t = nnrt_tensor{};
  return nullptr;
}

Status nnrt::inflateIfGzip(const std::string &path,
                           std::vector<uint8_t> &bytes) {
  if (bytes.size() < 2 || bytes[0] != 0x1f || bytes[1] != 0x8b)
    return nullptr;
  std::vector<uint8_t> out;
  NNRT_TRY(inflateAll(path, bytes, out));
  bytes = std::move(out);
  return nullptr;
}

// The temporary lives in the target's directory so rename() is atomic.
static std::string tempPath(const std::string &path) {
  return path + ".tmp." + std::to_string(getpid());
}

static std::string dirOf(const std::string &path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? "."
         : slash == 0               ? "/"
                                    : path.substr(0, slash);
}

// A process killed while writing leaves PATH.tmp.<pid>; remove those whose
// process is gone (another host's pid cannot be told apart: NFS users beware).
static void removeStaleTemps(const std::string &path) {
  size_t slash = path.rfind('/');
  std::string prefix =
      (slash == std::string::npos ? path : path.substr(slash + 1)) + ".tmp.";
  DIR *dir = opendir(dirOf(path).c_str());
  if (!dir)
    return;
  while (struct dirent *e = readdir(dir)) {
    std::string name = e->d_name;
    if (name.compare(0, prefix.size(), prefix) != 0 ||
        name.size() == prefix.size() ||
        name.find_first_not_of("0123456789", prefix.size()) !=
            std::string::npos)
      continue;
    long long pid = strtoll(name.c_str() + prefix.size(), nullptr, 10);
    if (pid <= 0 || pid > INT32_MAX || pid == getpid())
      continue;
    if (kill((pid_t)pid, 0) != 0 && errno == ESRCH)
      unlink((dirOf(path) + "/" + name).c_str());
  }
  closedir(dir);
}

Status nnrt::writeFileAtomic(
    const std::string &path,
    const std::vector<std::pair<const void *, size_t>> &chunks) {
  removeStaleTemps(path);
  std::string tmp = tempPath(path);
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0)
    return nnrt_status_make("%s: cannot write: %s", path.c_str(),
                            strerror(errno));
  for (auto &[data, size] : chunks) {
    const char *p = static_cast<const char *>(data);
    size_t left = size;
    while (left > 0) {
      ssize_t k = write(fd, p, left);
      if (k < 0 && errno == EINTR)
        continue;
      if (k <= 0) {
        int err = errno;
        close(fd);
        unlink(tmp.c_str());
        return nnrt_status_make("%s: write failed: %s", path.c_str(),
                                strerror(err));
      }
      p += k;
      left -= (size_t)k;
    }
  }
  if (fsync(fd) != 0 || close(fd) != 0) {
    int err = errno;
    unlink(tmp.c_str());
    return nnrt_status_make("%s: write failed: %s", path.c_str(),
                            strerror(err));
  }
  if (rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    unlink(tmp.c_str());
    return nnrt_status_make("%s: cannot write: %s", path.c_str(),
                            strerror(err));
  }
  return nullptr;
}

Status nnrt::checkWritable(const std::string &path) {
  std::string dir = dirOf(path);
  struct stat st;
  if (stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    return nnrt_status_make("%s: cannot write: directory %s does not exist",
                            path.c_str(), dir.c_str());
  // rename() would replace a device or fail on a directory only at the end.
  if (stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode))
    return nnrt_status_make("%s: cannot write: %s", path.c_str(),
                            S_ISDIR(st.st_mode) ? "is a directory"
                                                : "not a regular file");
  // Create the very temporary file the write will use: this catches
  // read-only file systems, /proc and permissions before any work is done.
  std::string tmp = tempPath(path);
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0)
    return nnrt_status_make("%s: cannot write: cannot create a file in %s "
                            "(%s)",
                            path.c_str(), dir.c_str(), strerror(errno));
  close(fd);
  unlink(tmp.c_str());
  return nullptr;
}

bool nnrt::parseJson(const std::string &text, nlohmann::ordered_json &out,
                     std::string &error) {
  using Json = nlohmann::ordered_json;
  struct Refused {
    std::string why;
  };
  // The keys of each object being read, innermost last.
  std::vector<std::set<std::string>> keys;
  auto check = [&](int depth, Json::parse_event_t event, Json &parsed) {
    // Deep nesting costs memory and time for nothing a reader here uses.
    if (depth > 64)
      throw Refused{"nested too deeply (over 64 levels)"};
    if (event == Json::parse_event_t::object_start)
      keys.emplace_back();
    else if (event == Json::parse_event_t::object_end)
      keys.pop_back();
    else if (event == Json::parse_event_t::key &&
             !keys.back().insert(parsed.get<std::string>()).second)
      throw Refused{"key '" + parsed.get<std::string>() + "' appears twice"};
    return true;
  };
  try {
    out = Json::parse(text, check);
    return true;
  } catch (const Refused &r) {
    error = r.why;
  } catch (const Json::exception &e) {
    // "[json.exception.parse_error.101] parse error at line 1, column 6:
    // syntax error ..." without the parts that name the library.
    error = e.what();
    size_t at = error.find("] ");
    if (at != std::string::npos)
      error.erase(0, at + 2);
    if (error.rfind("parse error at ", 0) == 0)
      error = error.substr(15);
  }
  return false;
}
