#include "store/statement.h"

#include <sqlite3.h>

#include <cstdint>

#include <fmt/format.h>

#include "store/sqlite_error.h"

namespace pscope::store {
namespace {

// SQLITE_TRANSIENT is an old-style cast inside a macro; spell it once with a named cast so the
// project's -Wold-style-cast stays clean.
sqlite3_destructor_type transient() noexcept {
  return reinterpret_cast<sqlite3_destructor_type>(static_cast<std::intptr_t>(-1));
}

}  // namespace

void Statement::Finalizer::operator()(sqlite3_stmt* s) const noexcept { sqlite3_finalize(s); }

std::string_view Statement::sql() const noexcept {
  const char* s = stmt_ ? sqlite3_sql(stmt_.get()) : nullptr;
  return s ? std::string_view(s) : std::string_view();
}

Result<void> Statement::bind_result(int idx, int rc) {
  if (rc == SQLITE_OK) return {};
  return detail::sqlite_error(fmt::format("bind of parameter {}", idx), sql(), sqlite3_errstr(rc));
}

Result<void> Statement::out_of_range(int idx) const {
  return detail::sqlite_error(fmt::format("bind of parameter {}", idx), sql(),
                              "unsigned value does not fit a signed 64-bit integer");
}

Result<void> Statement::bind_int64(int idx, std::int64_t v) {
  return bind_result(idx, sqlite3_bind_int64(stmt_.get(), idx, v));
}

Result<void> Statement::bind(int idx, double v) {
  return bind_result(idx, sqlite3_bind_double(stmt_.get(), idx, v));
}

Result<void> Statement::bind(int idx, std::string_view v) {
  // A null data pointer would bind SQL NULL; "" keeps an empty string an empty string.
  const char* data = v.data() ? v.data() : "";
  return bind_result(idx, sqlite3_bind_text64(stmt_.get(), idx, data, v.size(), transient(),
                                              SQLITE_UTF8));
}

Result<void> Statement::bind(int idx, std::span<const std::byte> v) {
  // sqlite3_bind_blob with a null pointer binds NULL; an empty blob must stay a blob.
  if (v.empty()) return bind_result(idx, sqlite3_bind_zeroblob(stmt_.get(), idx, 0));
  return bind_result(idx, sqlite3_bind_blob64(stmt_.get(), idx, v.data(), v.size(), transient()));
}

Result<void> Statement::bind(int idx, std::span<const unsigned char> v) {
  return bind(idx, std::as_bytes(v));
}

Result<void> Statement::bind(int idx, std::nullptr_t) {
  return bind_result(idx, sqlite3_bind_null(stmt_.get(), idx));
}

Result<bool> Statement::step() {
  if (!stmt_) return fail("sqlite: step on an empty Statement");
  int rc = sqlite3_step(stmt_.get());
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  // Read the message immediately: the next call on this connection overwrites it.
  return detail::sqlite_error("step", sql(), sqlite3_errmsg(sqlite3_db_handle(stmt_.get())));
}

Result<void> Statement::run() {
  Result<bool> r;
  do {
    r = step();
  } while (r && *r);
  reset();
  if (!r) return tl::unexpected(std::move(r.error()));
  return {};
}

void Statement::reset() noexcept {
  if (!stmt_) return;
  // The return value repeats the last step()'s error, which step() already reported.
  sqlite3_reset(stmt_.get());
  sqlite3_clear_bindings(stmt_.get());
}

int Statement::column_count() const noexcept {
  return stmt_ ? sqlite3_column_count(stmt_.get()) : 0;
}

bool Statement::col_is_null(int col) const noexcept {
  return sqlite3_column_type(stmt_.get(), col) == SQLITE_NULL;
}

std::int64_t Statement::col_int64(int col) const noexcept {
  return sqlite3_column_int64(stmt_.get(), col);
}

double Statement::col_double(int col) const noexcept {
  return sqlite3_column_double(stmt_.get(), col);
}

std::string Statement::col_text(int col) const {
  // Order matters: _text() converts the value, then _bytes() reports the converted length
  // (which also keeps embedded NULs).
  const unsigned char* p = sqlite3_column_text(stmt_.get(), col);
  int n = sqlite3_column_bytes(stmt_.get(), col);
  if (!p || n <= 0) return {};
  return std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(n));
}

std::vector<std::byte> Statement::col_blob(int col) const {
  const void* p = sqlite3_column_blob(stmt_.get(), col);
  int n = sqlite3_column_bytes(stmt_.get(), col);
  if (!p || n <= 0) return {};
  const auto* b = static_cast<const std::byte*>(p);
  return std::vector<std::byte>(b, b + n);
}

}  // namespace pscope::store
