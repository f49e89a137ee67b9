// Answers path list queries: the socket's 4-tuple narrows the SQL, the filter expression is
// evaluated here on each candidate (the same Filter the kernel prefilter comes from).
#pragma once

#include "api/facade.h"
#include "store/database.h"
#include "tracer/filter.h"

namespace pscope::daemon {

// Candidate rows scanned at most per request: bounds the cost of a filter that matches little.
inline constexpr int kMaxScan = 20000;

tracer::FilterInput filter_input(const store::PathRow& row);

// Looks up the 4-tuple of a socket cookie; kBadInput error when no such socket exists now.
using SocketTupleLookup = std::function<Result<store::PathQuery>(uint64_t cookie)>;

Result<std::vector<store::PathRow>> query_paths(store::Database& db, const api::PathListQuery& q,
                                                const SocketTupleLookup& socket_tuple);

}  // namespace pscope::daemon
