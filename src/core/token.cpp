// Access token storage (see token.h).
#include "core/token.h"

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <fstream>
#include <vector>

#include "core/fd.h"

namespace pscope {

Result<std::string> random_hex(size_t bytes) {
  std::vector<unsigned char> buf(bytes);
  size_t got = 0;
  while (got < bytes) {
    ssize_t n = getrandom(buf.data() + got, bytes - got, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_error("getrandom");
    }
    got += static_cast<size_t>(n);
  }
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned char b : buf) {
    out += hex[b >> 4];
    out += hex[b & 15];
  }
  return out;
}

bool token_equal(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i)
    diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

Result<std::string> load_or_create_token(const std::string& data_dir) {
  if (::mkdir(data_dir.c_str(), 0700) != 0 && errno != EEXIST)
    return errno_error("create data dir " + data_dir);
  const std::string path = data_dir + "/token";
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) {
    if ((st.st_mode & 077) != 0 && ::chmod(path.c_str(), 0600) != 0)
      return errno_error("tighten permissions of " + path);
    std::ifstream in(path);
    std::string tok;
    std::getline(in, tok);
    bool ok = tok.size() == 64;
    for (char c : tok) ok = ok && std::isxdigit(static_cast<unsigned char>(c));
    if (!ok) return fail("token file " + path + " is corrupt: delete it and restart to create a new token");
    return tok;
  }
  auto tok = random_hex(32);
  if (!tok) return tok;
  const std::string tmp = path + ".tmp";
  UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  if (!fd.valid()) return errno_error("create " + tmp);
  std::string line = *tok + "\n";
  if (::write(fd.get(), line.data(), line.size()) != static_cast<ssize_t>(line.size()) || ::fsync(fd.get()) != 0)
    return errno_error("write " + tmp);
  fd.reset();
  if (::rename(tmp.c_str(), path.c_str()) != 0) return errno_error("rename " + tmp + " to " + path);
  return tok;
}

}  // namespace pscope
