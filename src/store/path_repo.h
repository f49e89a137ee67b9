// PathRepo: the tracer's per-packet paths, written in batches, pruned by retention.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/result.h"
#include "store/database.h"

namespace pscope::store {

struct PathRow {
  std::int64_t id = 0;     // 0: assigned by the database; else used as given (must be new)
  std::int64_t ts_ns = 0;  // CLOCK_REALTIME ns of the first hop
  std::string direction, protocol;
  std::int64_t family = 0, l4_proto = 0;
  std::string src, dst;
  std::int64_t sport = 0, dport = 0, length = 0, hops = 0, latency_ns = 0;
  bool dropped = false;
  std::string reason, comm;
  std::int64_t tgid = 0;
  std::string ifindexes, netns;  // ",a,b," lists
  std::string detail;            // JSON
};

// Which rows a list query may return, besides paging. Empty fields match anything. A tuple
// matches in either direction (a socket's packets flow both ways): a socket's local side is
// endpoint a, its peer endpoint b, and a listener (no b) matches every packet to or from a.
// Addresses are compared as addresses: a wildcard (0.0.0.0, ::) matches any, and an IPv4-mapped
// IPv6 address (::ffff:10.0.0.1) matches the IPv4 one (such a socket's packets are IPv4).
struct PathQuery {
  std::optional<std::int64_t> before_id;
  std::optional<std::string> addr_a, addr_b;
  std::optional<std::int64_t> port_a, port_b;
  std::optional<std::int64_t> family;    // 4 or 6
  std::optional<std::int64_t> l4_proto;  // IPPROTO_*
};

class PathRepo {
 public:
  explicit PathRepo(Database& db) noexcept : db_(db) {}
  Result<void> insert_batch(std::span<const PathRow> rows);
  // Newest first; at most `limit` (clamped to [1, 1000]) rows, `detail` left empty.
  Result<std::vector<PathRow>> recent(std::int64_t limit, const PathQuery& q = {});
  Result<std::optional<PathRow>> get(std::int64_t id);  // with detail
  // Rows with ts_ns >= since_ns, newest first, with detail, at most max_rows; fn returns false
  // to stop early. Returns the rows visited (the Guarder's dry-run reads history this way).
  Result<std::int64_t> for_each_since(std::int64_t since_ns, std::int64_t max_rows,
                                      const std::function<bool(const PathRow&)>& fn);
  // Same contract as DropEventRepo::enforce_retention.
  Result<std::int64_t> enforce_retention(std::int64_t max_rows, std::int64_t max_age_ns, std::int64_t now_ns);
  Result<std::int64_t> count();
  // The highest id ever handed out (AUTOINCREMENT's sequence: survives retention), 0 if none.
  Result<std::int64_t> last_id();

 private:
  Database& db_;
};

}  // namespace pscope::store
