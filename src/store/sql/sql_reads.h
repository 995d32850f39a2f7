// Where the store's reads run. Every read of the read interfaces that a store and its
// transactions share (LeadReads, ContactReads, AssignmentReads, UserReads, CatalogReads,
// EventReads) is written once, in its feature's file, as a mixin over "the connection
// to read on" (e.g. LeadReadsOn in sql_leads.h): the store leases a connection from its
// pool for each read; a transaction reads on its own connection, and so sees its own
// writes. SqlReads (sql_store.h) stacks the mixins.
#pragma once

#include <memory>
#include <utility>

#include "core/status.h"
#include "store/sql/sql_db.h"

namespace tandem::sql {

// A connection for reads, outside any write transaction; back to its pool when the
// lease ends.
class ReadLease {
 public:
  virtual ~ReadLease() = default;
  virtual Db& db() = 0;
};

// The connection one read runs on: leased for it (and returned when it ends), or a
// transaction's own.
class ReadConn {
 public:
  explicit ReadConn(Db& db) : db_(&db) {}
  explicit ReadConn(std::unique_ptr<ReadLease> lease)
      : lease_(std::move(lease)), db_(&lease_->db()) {}
  Db& db() const { return *db_; }

 private:
  std::unique_ptr<ReadLease> lease_;
  Db* db_;
};

// What gives the connection to read on: a store, a transaction, or a test's wrapper of
// either (which reads on what it wraps).
class ReadSource {
 public:
  virtual ~ReadSource() = default;
  virtual StatusOr<ReadConn> ReadOn() = 0;
};

// The bottom of the read mixins: `Interface` (Store, LeadTxn, …) with a connection to
// read on.
template <typename Interface>
class ReadsOn : public Interface, public ReadSource {
 protected:
  // Runs `read(Db&)` on the connection to read on.
  template <typename Read>
  auto Reading(Read read) -> decltype(read(std::declval<Db&>())) {
    TANDEM_ASSIGN_OR_RETURN(ReadConn conn, ReadOn());
    return read(conn.db());
  }
};

}  // namespace tandem::sql
