// Retention and counting shared by the event tables (drop_events, packet_paths, ...).
#pragma once

#include <cstdint>
#include <string_view>

#include "core/result.h"
#include "store/database.h"

namespace pscope::store {

// Deletes, in one transaction, rows beyond the newest max_rows (by id) and rows with
// ts_ns < now_ns - max_age_ns. A limit of 0 disables that limit (so a zero-initialised config
// can never empty the table); negative limits are rejected. Returns the rows removed. Any
// failure rolls back: there is no fallback that deletes more. `table` must be one of the
// schema's own table names (it is placed in the SQL text; values are always bound).
Result<std::int64_t> enforce_table_retention(Database& db, std::string_view table, std::int64_t max_rows,
                                             std::int64_t max_age_ns, std::int64_t now_ns);

Result<std::int64_t> count_rows(Database& db, std::string_view table);

}  // namespace pscope::store
