#include "store/sqlite_error.h"

#include <fmt/format.h>

namespace pscope::store::detail {

std::string sql_excerpt(std::string_view sql) {
  constexpr std::size_t kMax = 60;
  std::string out;
  bool pending_space = false;
  for (char c : sql) {
    if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out.push_back(' ');
    pending_space = false;
    out.push_back(c);
    if (out.size() > kMax) {
      out.resize(kMax);
      out += "...";
      break;
    }
  }
  return out;
}

tl::unexpected<Error> sqlite_error(std::string_view op, std::string_view sql, std::string_view msg,
                                   std::source_location w) {
  return fail(fmt::format("sqlite: {} failed for '{}': {}", op, sql_excerpt(sql), msg), w);
}

}  // namespace pscope::store::detail
