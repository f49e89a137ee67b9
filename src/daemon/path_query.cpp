// Path list queries (see path_query.h).
#include "daemon/path_query.h"

#include <arpa/inet.h>
#include <net/if.h>

#include <sstream>

#include "tracer/path_filter.h"

namespace pscope::daemon {
namespace {

template <class T>
std::vector<T> parse_csv(const std::string& s) {
  std::vector<T> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ','))
    if (!item.empty()) out.push_back(static_cast<T>(std::stoull(item)));
  return out;
}

}  // namespace

tracer::FilterInput filter_input(const store::PathRow& row) {
  tracer::FilterInput in{};
  in.family = static_cast<uint8_t>(row.family);
  in.is_arp = row.protocol == "arp";
  in.l4_proto = static_cast<uint8_t>(row.l4_proto);
  in.src = tracer::address_bytes(row.src);
  in.dst = tracer::address_bytes(row.dst);
  in.sport = static_cast<uint16_t>(row.sport);
  in.dport = static_cast<uint16_t>(row.dport);
  in.ifindexes = parse_csv<uint32_t>(row.ifindexes);
  in.netns = parse_csv<uint64_t>(row.netns);
  in.dropped = row.dropped;
  return in;
}

Result<std::vector<store::PathRow>> query_paths(store::Database& db, const api::PathListQuery& q,
                                                const SocketTupleLookup& socket_tuple) {
  auto filter = tracer::Filter::parse(q.filter, [](std::string_view name) -> std::optional<uint32_t> {
    unsigned idx = if_nametoindex(std::string(name).c_str());
    return idx ? std::optional<uint32_t>(idx) : std::nullopt;
  });
  if (!filter) return tl::unexpected(Error{api::kBadInput, filter.error().what});
  store::PathQuery pq;
  if (q.socket) {
    auto t = socket_tuple(*q.socket);
    if (!t) return tl::unexpected(t.error());
    pq = *t;
  }
  pq.before_id = q.before_id;
  store::PathRepo repo(db);
  std::vector<store::PathRow> out;
  int scanned = 0;
  while (static_cast<int>(out.size()) < q.limit && scanned < kMaxScan) {
    auto page = repo.recent(filter->empty() ? q.limit : 1000, pq);
    if (!page) return tl::unexpected(page.error());
    if (page->empty()) break;
    for (auto& row : *page) {
      if (filter->empty() || filter->matches(filter_input(row))) out.push_back(std::move(row));
      if (static_cast<int>(out.size()) == q.limit) break;
    }
    scanned += static_cast<int>(page->size());
    pq.before_id = page->back().id;
  }
  return out;
}

}  // namespace pscope::daemon
