// Internal to ps_store: turns a failed SQLite call into a pscope::Error that names the SQL.
#pragma once

#include <source_location>
#include <string>
#include <string_view>

#include "core/result.h"

namespace pscope::store::detail {

// Whitespace collapsed and cut to ~60 characters: a failing multi-line migration should still
// produce a one-line log message that identifies the statement.
std::string sql_excerpt(std::string_view sql);

// "sqlite: <op> failed for '<sql excerpt>': <message>". Error::code stays 0 (it is reserved for
// negative errno values); the SQLite message is the actionable part.
tl::unexpected<Error> sqlite_error(std::string_view op, std::string_view sql, std::string_view msg,
                                   std::source_location w = std::source_location::current());

}  // namespace pscope::store::detail
