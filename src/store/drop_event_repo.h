// DropEventRepo: packet drops reported by the tracer, written in batches, pruned by retention.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/result.h"
#include "store/database.h"

namespace pscope::store {

struct DropEvent {
  std::int64_t ts_ns = 0;  // CLOCK_REALTIME nanoseconds
  std::string reason, location;
  std::uint32_t ifindex = 0;
  // Stored as the same 64 bits in a signed INTEGER column, so every uint64_t round-trips
  // (values above INT64_MAX read back correctly but compare as negative inside SQL).
  std::uint64_t netns = 0;
  std::string protocol, src, dst;
  std::int64_t id = 0;  // assigned by the database; ignored by insert_batch()
};

// Non-owning view over a migrated Database; same threading rule as the Database.
class DropEventRepo {
 public:
  explicit DropEventRepo(Database& db) noexcept : db_(db) {}

  // All rows or none: one BEGIN IMMEDIATE transaction, one prepared statement. Must not be
  // called inside another Transaction (SQLite transactions do not nest).
  Result<void> insert_batch(std::span<const DropEvent> events);

  // Newest first by id; before_id pages towards older rows. limit is clamped to [1, 1000].
  Result<std::vector<DropEvent>> recent(std::int64_t limit,
                                        std::optional<std::int64_t> before_id = std::nullopt);

  // Deletes, in one transaction, rows beyond the newest max_rows and rows with
  // ts_ns < now_ns - max_age_ns. A limit of 0 disables that limit (so a zero-initialised config
  // can never empty the table); negative limits are rejected. Returns the number of rows removed.
  // Any failure rolls back and returns the Error: there is no fallback that deletes more.
  Result<std::int64_t> enforce_retention(std::int64_t max_rows, std::int64_t max_age_ns,
                                         std::int64_t now_ns);

  Result<std::int64_t> count();

 private:
  Database& db_;
};

}  // namespace pscope::store
