#include "store/settings_repo.h"

namespace pscope::store {

Result<std::optional<std::string>> SettingsRepo::get(std::string_view key) {
  auto st = db_.prepare("SELECT value FROM settings WHERE key = ?1");
  if (!st) return tl::unexpected(std::move(st.error()));
  if (auto r = st->bind(1, key); !r) return tl::unexpected(std::move(r.error()));
  auto row = st->step();
  if (!row) return tl::unexpected(std::move(row.error()));
  if (!*row) return std::optional<std::string>();
  return std::optional<std::string>(st->col_text(0));
}

Result<void> SettingsRepo::put(std::string_view key, std::string_view value) {
  auto st = db_.prepare(
      "INSERT INTO settings(key, value, updated_at) "
      "VALUES (?1, ?2, strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) "
      "ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at");
  if (!st) return tl::unexpected(std::move(st.error()));
  if (auto r = st->bind_all(key, value); !r) return r;
  return st->run();
}

Result<bool> SettingsRepo::erase(std::string_view key) {
  auto st = db_.prepare("DELETE FROM settings WHERE key = ?1");
  if (!st) return tl::unexpected(std::move(st.error()));
  if (auto r = st->bind(1, key); !r) return tl::unexpected(std::move(r.error()));
  if (auto r = st->run(); !r) return tl::unexpected(std::move(r.error()));
  return db_.changes() > 0;
}

Result<std::vector<Setting>> SettingsRepo::all() {
  auto st = db_.prepare("SELECT key, value, updated_at FROM settings ORDER BY key");
  if (!st) return tl::unexpected(std::move(st.error()));
  std::vector<Setting> out;
  for (;;) {
    auto row = st->step();
    if (!row) return tl::unexpected(std::move(row.error()));
    if (!*row) break;
    out.push_back(Setting{st->col_text(0), st->col_text(1), st->col_text(2)});
  }
  return out;
}

}  // namespace pscope::store
