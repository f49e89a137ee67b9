// A small JSON Schema validator for model answers. Supported keywords: type (a name or a list),
// properties, required, additionalProperties (bool or schema), enum, minimum, maximum,
// minLength, maxLength, minItems, maxItems, items, plus description/title (ignored).
#pragma once

#include <nlohmann/json.hpp>

#include "core/result.h"

namespace pscope::llm {

// Refuses a schema that uses any other keyword, so no constraint is silently left unchecked.
Result<void> check_schema(const nlohmann::json& schema);

// Validates `value` against a schema that passed check_schema. The error is one precise reason
// with the path of the offending value: "missing required 'rules'",
// "rules[2].action: \"allow\" is not one of [\"drop\",\"rate_limit\"]".
Result<void> validate_json(const nlohmann::json& schema, const nlohmann::json& value);

}  // namespace pscope::llm
