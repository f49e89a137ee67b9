// Statement: RAII over one prepared sqlite3_stmt with typed binds and column getters.
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

struct sqlite3_stmt;

namespace pscope::store {

// Obtained from Database::prepare(). Same threading rule as its Database: one thread at a time.
// May outlive the Database object (the connection is closed with sqlite3_close_v2, which waits
// for the last statement to be finalized), but using it after the Database is gone is pointless.
class Statement {
 public:
  Statement() = default;
  Statement(Statement&&) noexcept = default;
  Statement& operator=(Statement&&) noexcept = default;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement() = default;

  // Parameter indexes are 1-based, as in SQLite. Every value is bound as a parameter; nothing is
  // ever spliced into SQL text.
  template <std::integral T>
  Result<void> bind(int idx, T v) {
    // SQLite integers are signed 64-bit; refuse rather than silently wrap large unsigned values.
    if constexpr (std::is_unsigned_v<T> && sizeof(T) >= sizeof(std::int64_t)) {
      if (v > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
        return out_of_range(idx);
    }
    return bind_int64(idx, static_cast<std::int64_t>(v));
  }
  Result<void> bind(int idx, double v);
  // Text is copied by SQLite (SQLITE_TRANSIENT), so temporaries are safe. An empty view binds
  // '' (not NULL).
  Result<void> bind(int idx, std::string_view v);
  // Blobs are copied as well; an empty span binds a zero-length blob (not NULL).
  Result<void> bind(int idx, std::span<const std::byte> v);
  Result<void> bind(int idx, std::span<const unsigned char> v);
  Result<void> bind(int idx, std::nullptr_t);
  Result<void> bind(int idx, std::nullopt_t) { return bind(idx, nullptr); }
  template <class T>
  Result<void> bind(int idx, const std::optional<T>& v) {
    if (!v) return bind(idx, nullptr);
    return bind(idx, *v);
  }

  // Binds args to parameters 1..N in order; stops at the first failure.
  template <class... Args>
  Result<void> bind_all(const Args&... args) {
    Result<void> r;
    int idx = 0;
    (void)((r = bind(++idx, args), r.has_value()) && ...);
    return r;
  }

  // true = a row is available through the col_* getters; false = done. After an error the
  // statement must be reset() before reuse.
  Result<bool> step();
  // For statements that return no rows (INSERT/UPDATE/DELETE/DDL): steps to completion, then
  // reset()s (also on error) so the statement can be re-bound for the next row.
  Result<void> run();
  // Rewinds and clears all bindings, so a value bound for a previous row can never leak into the
  // next one when a caller forgets a parameter.
  void reset() noexcept;

  int column_count() const noexcept;
  bool col_is_null(int col) const noexcept;  // 0-based, as in SQLite
  std::int64_t col_int64(int col) const noexcept;
  double col_double(int col) const noexcept;
  std::string col_text(int col) const;
  std::vector<std::byte> col_blob(int col) const;

  std::string_view sql() const noexcept;
  explicit operator bool() const noexcept { return stmt_ != nullptr; }

 private:
  friend class Database;
  struct Finalizer {
    void operator()(sqlite3_stmt* s) const noexcept;
  };
  explicit Statement(sqlite3_stmt* s) noexcept : stmt_(s) {}

  Result<void> bind_int64(int idx, std::int64_t v);
  Result<void> bind_result(int idx, int rc);
  Result<void> out_of_range(int idx) const;

  std::unique_ptr<sqlite3_stmt, Finalizer> stmt_;
};

}  // namespace pscope::store
