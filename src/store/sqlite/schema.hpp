// The SQLite schema of the whole data store (directory and mail) and its
// migrations, applied in order and recorded in schema_version.
#pragma once

#include "core/result.hpp"
#include "store/sqlite/db.hpp"

namespace postern::store::sqlite {

// Brings the database to the latest schema version inside one transaction
// per step. Refuses a database newer than this binary understands.
Status migrate(Db& db);
// The same, stopping at version `up_to` (tests build an older database to
// check that an upgrade keeps what it holds).
Status migrate(Db& db, int up_to);
int latest_schema_version();

}  // namespace postern::store::sqlite
