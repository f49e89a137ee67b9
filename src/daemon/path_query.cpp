// Path list queries (see path_query.h).
#include "daemon/path_query.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>

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

store::PathQuery socket_path_query(const tracer::SocketInfo& s) {
  store::PathQuery pq;
  pq.addr_a = s.local_addr;  // PathRepo treats a wildcard as any and ::ffff:a.b.c.d as a.b.c.d
  in6_addr a6{};
  bool v6 = s.family == 6 && inet_pton(AF_INET6, s.local_addr.c_str(), &a6) == 1;
  // Bound to :: a socket sees IPv4 too, unless IPV6_V6ONLY (which the socket table does not show).
  if (s.family == 4 || (v6 && IN6_IS_ADDR_V4MAPPED(&a6))) pq.family = 4;
  else if (!v6 || !IN6_IS_ADDR_UNSPECIFIED(&a6)) pq.family = 6;
  if (s.proto == "raw") {
    pq.l4_proto = s.local_port;  // a raw socket's "port" is its IP protocol; packets have none
    return pq;
  }
  pq.l4_proto = s.proto == "tcp" ? IPPROTO_TCP : IPPROTO_UDP;
  pq.port_a = s.local_port;
  if (s.remote_port != 0) {  // a listener or unconnected socket: any peer
    pq.addr_b = s.remote_addr;
    pq.port_b = s.remote_port;
  }
  return pq;
}

Result<store::PathQuery> socket_tuple_by_cookie(uint64_t cookie) {
  auto s = tracer::find_socket(cookie);
  if (!s) return tl::unexpected(s.error());
  if (!*s)
    return tl::unexpected(Error{api::kBadInput, "no socket with cookie " + std::to_string(cookie) + " (it may have closed)"});
  return socket_path_query(**s);
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
    auto t = socket_tuple ? socket_tuple(*q.socket) : socket_tuple_by_cookie(*q.socket);
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
