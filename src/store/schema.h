// The database schema as an ordered list of migrations. Migration i brings
// PRAGMA user_version from i to i + 1; a released migration is never edited,
// only followed by a new one.
#pragma once

#include <string_view>
#include <vector>

namespace atm {

const std::vector<std::string_view>& SchemaMigrations();

}  // namespace atm
