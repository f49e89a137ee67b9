// Answers path list queries: the socket's 4-tuple narrows the SQL, the filter expression is
// evaluated here on each candidate (the same Filter the kernel prefilter comes from).
#pragma once

#include "api/facade.h"
#include "store/database.h"
#include "tracer/filter.h"
#include "tracer/sockets.h"

namespace pscope::daemon {

// Candidate rows scanned at most per request: bounds the cost of a filter that matches little.
inline constexpr int kMaxScan = 20000;

tracer::FilterInput filter_input(const store::PathRow& row);

// Looks up the 4-tuple of a socket cookie; kBadInput error when no such socket exists now.
using SocketTupleLookup = std::function<Result<store::PathQuery>(uint64_t cookie)>;

// The stored paths that are a socket's packets. Endpoint a is the local side, b the peer when
// connected (a listener or unconnected socket: any peer, so every packet to or from its port).
// Protocol and family narrow it: an IPv4-mapped socket's packets are IPv4, a socket bound to ::
// may see both families. Raw sockets match their IP protocol (local_port) and not ports.
store::PathQuery socket_path_query(const tracer::SocketInfo& s);

// The default SocketTupleLookup: one cheap tracer::find_socket() pass (no /proc owner scan) in
// the caller's network namespace, then socket_path_query().
Result<store::PathQuery> socket_tuple_by_cookie(uint64_t cookie);

// An empty `socket_tuple` means socket_tuple_by_cookie.
Result<std::vector<store::PathRow>> query_paths(store::Database& db, const api::PathListQuery& q,
                                                const SocketTupleLookup& socket_tuple = {});

}  // namespace pscope::daemon
