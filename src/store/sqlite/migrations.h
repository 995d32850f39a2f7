// The SQLite schema: the migration files of store/schema/sqlite/, embedded at build
// time (store/schema/schema.h). PostgreSQL has the same versions in its own dialect.
#pragma once

#include <span>

#include "store/schema/schema.h"

namespace tandem::sqlite {

using Migration = schema::Migration;

// In version order.
std::span<const Migration> Migrations();

}  // namespace tandem::sqlite
