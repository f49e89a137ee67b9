// Socket owners: which processes hold an fd on a socket, from the /proc/[pid]/fd/* links
// ("socket:[INODE]"), as `ss -p` finds them.
#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <memory>

#include "core/fd.h"
#include "tracer/sockets.h"

namespace pscope::tracer {
namespace {

struct DirCloser {
  void operator()(DIR* d) const noexcept { ::closedir(d); }
};
using DirPtr = std::unique_ptr<DIR, DirCloser>;

std::optional<int32_t> parse_pid(const char* name) {
  int32_t pid = 0;
  const char* end = name + std::strlen(name);
  auto [p, ec] = std::from_chars(name, end, pid);
  if (ec != std::errc() || p != end || pid <= 0) return std::nullopt;
  return pid;
}

std::optional<uint64_t> socket_inode(std::string_view link) {
  constexpr std::string_view kPrefix = "socket:[";
  if (!link.starts_with(kPrefix) || !link.ends_with(']')) return std::nullopt;
  auto digits = link.substr(kPrefix.size(), link.size() - kPrefix.size() - 1);
  uint64_t ino = 0;
  auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), ino);
  if (ec != std::errc() || p != digits.data() + digits.size()) return std::nullopt;
  return ino;
}

std::string read_comm(const std::string& pid_dir) {
  UniqueFd fd(::open((pid_dir + "/comm").c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return "";
  char buf[64];
  ssize_t n;
  do n = ::read(fd.get(), buf, sizeof(buf));
  while (n < 0 && errno == EINTR);
  std::string s(buf, n > 0 ? static_cast<size_t>(n) : 0);
  while (!s.empty() && (s.back() == '\n' || s.back() == '\0')) s.pop_back();
  return s;
}

// Socket inodes among one process's open files.
std::vector<uint64_t> process_sockets(const std::string& pid_dir, const std::unordered_set<uint64_t>* wanted) {
  std::vector<uint64_t> inodes;
  int dfd = ::open((pid_dir + "/fd").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return inodes;
  DirPtr dir(::fdopendir(dfd));
  if (!dir) {
    ::close(dfd);
    return inodes;
  }
  char link[64];
  while (dirent* e = ::readdir(dir.get())) {
    if (e->d_name[0] == '.') continue;
    ssize_t n = ::readlinkat(dfd, e->d_name, link, sizeof(link));
    if (n <= 0 || static_cast<size_t>(n) >= sizeof(link)) continue;
    auto ino = socket_inode(std::string_view(link, static_cast<size_t>(n)));
    if (!ino || (wanted && !wanted->contains(*ino))) continue;
    if (std::find(inodes.begin(), inodes.end(), *ino) == inodes.end()) inodes.push_back(*ino);
  }
  return inodes;
}

}  // namespace

SocketOwners scan_socket_owners(const std::unordered_set<uint64_t>* wanted, const std::string& proc_root) {
  SocketOwners owners;
  if (wanted && wanted->empty()) return owners;
  DirPtr proc(::opendir(proc_root.c_str()));
  if (!proc) return owners;
  while (dirent* e = ::readdir(proc.get())) {
    auto pid = parse_pid(e->d_name);
    if (!pid) continue;
    std::string pid_dir = proc_root + "/" + e->d_name;
    auto inodes = process_sockets(pid_dir, wanted);
    if (inodes.empty()) continue;
    std::string comm = read_comm(pid_dir);
    for (uint64_t ino : inodes) owners[ino].emplace_back(*pid, comm);
  }
  for (auto& [ino, list] : owners) std::sort(list.begin(), list.end());
  return owners;
}

}  // namespace pscope::tracer
