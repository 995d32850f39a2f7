#include "store/sqlite/migrations.h"

namespace tandem::sqlite {

std::span<const Migration> Migrations() { return schema::SqliteMigrations(); }

}  // namespace tandem::sqlite
