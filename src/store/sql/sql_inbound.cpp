// Received email (inbound_messages) and what receiving it reads of the sends and the
// leads: the store's side of email/inbound_store.h.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <sodium.h>

#include <variant>

#include "store/sql/sql_email_txn.h"
#include "store/sql/sql_leads.h"
#include "store/sql/sql_store.h"

namespace tandem {

using sql::Db;
using sql::Statement;

namespace {

constexpr const char* kInboundColumns =
    "id, uid, dedup_key, message_id, via, kind, status, from_address, subject, lead_id, send_id, "
    "matched_by, address, detail, raw_base64, size, truncated, received_at";
// The same, for a list: the bytes left out.
constexpr const char* kInboundListColumns =
    "m.id, m.uid, m.dedup_key, m.message_id, m.via, m.kind, m.status, m.from_address, m.subject, "
    "m.lead_id, m.send_id, m.matched_by, m.address, m.detail, '', m.size, m.truncated, "
    "m.received_at";

// The bytes as base64: a message may hold any bytes, a text column may not.
std::string ToBase64(std::string_view bytes) {
  const size_t length = sodium_base64_encoded_len(bytes.size(), sodium_base64_VARIANT_ORIGINAL);
  std::string out(length, '\0');
  sodium_bin2base64(out.data(), length, reinterpret_cast<const unsigned char*>(bytes.data()),
                    bytes.size(), sodium_base64_VARIANT_ORIGINAL);
  out.resize(length - 1);  // the terminating NUL
  return out;
}

StatusOr<std::string> FromBase64(std::string_view text) {
  std::string out(text.size() / 4 * 3 + 3, '\0');
  size_t length = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                        text.size(), nullptr, &length, nullptr,
                        sodium_base64_VARIANT_ORIGINAL) != 0) {
    return Internal("inbound_messages.raw_base64 is not base64");
  }
  out.resize(length);
  return out;
}

StatusOr<InboundMessage> ReadInbound(const Statement& s) {
  InboundMessage m;
  m.id = s.Int(0);
  m.uid = s.Text(1);
  m.dedup_key = s.Text(2);
  m.message_id = s.Text(3);
  m.via = s.Text(4);
  m.kind = s.Text(5);
  m.status = s.Text(6);
  m.from_address = s.Text(7);
  m.subject = s.Text(8);
  m.lead_id = s.NullableInt(9);
  m.send_id = s.NullableInt(10);
  m.matched_by = s.Text(11);
  m.address = s.Text(12);
  m.detail = s.Text(13);
  TANDEM_ASSIGN_OR_RETURN(m.raw, FromBase64(s.TextView(14)));
  m.size = s.Int(15);
  m.truncated = s.Int(16) != 0;
  m.received_at = FromUnixMillis(s.Int(17));
  return m;
}

StatusOr<std::optional<InboundMessage>> FirstInbound(Statement* stmt) {
  TANDEM_ASSIGN_OR_RETURN(auto rows, sql::Collect<InboundMessage>(stmt, ReadInbound));
  if (rows.empty()) return std::optional<InboundMessage>();
  return std::optional<InboundMessage>(std::move(rows.front()));
}

StatusOr<std::optional<InboundMessage>> FindInboundBy(Db& db, const char* column,
                                                      std::string_view value) {
  TANDEM_ASSIGN_OR_RETURN(Statement * stmt,
                          db.Prepare(fmt::format("SELECT {} FROM inbound_messages WHERE {} = ?",
                                                 kInboundColumns, column)));
  stmt->Bind(1, value);
  return FirstInbound(stmt);
}

}  // namespace

namespace sql {

StatusOr<std::optional<int64_t>> FindLeadByAddress(Db& db, std::string_view address) {
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      db.Prepare("SELECT l.id FROM identities i JOIN persons p ON p.id = i.person_id JOIN leads l "
                 "ON l.id = COALESCE(p.merged_into, p.id) WHERE i.kind = 'email' AND i.value = ?"));
  stmt->Bind(1, address);
  TANDEM_ASSIGN_OR_RETURN(auto ids,
                          Collect<int64_t>(stmt, [](const Statement& s) { return s.Int(0); }));
  if (ids.empty()) return std::optional<int64_t>();
  return std::optional<int64_t>(ids.front());
}

StatusOr<int64_t> CountSoftBounces(Db& db, std::string_view address, TimePoint since,
                                   int64_t except_send) {
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      db.Prepare("SELECT COUNT(DISTINCT send_id) FROM inbound_messages WHERE address = ? AND "
                 "kind = 'soft_bounce' AND status = 'applied' AND received_at >= ? AND "
                 "send_id <> ?"));
  stmt->Bind(1, address).Bind(2, ToUnixMillis(since)).Bind(3, except_send);
  TANDEM_ASSIGN_OR_RETURN(bool row, stmt->Step());
  const int64_t count = row ? stmt->Int(0) : 0;
  stmt->Reset();
  return count;
}

StatusOr<int64_t> AddInbound(Db& db, const InboundMessage& m) {
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      db.Prepare("INSERT INTO inbound_messages (uid, dedup_key, message_id, via, kind, status, "
                 "from_address, subject, lead_id, send_id, matched_by, address, detail, "
                 "raw_base64, size, truncated, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                 "?, ?, ?, ?, ?, ?, ?) RETURNING id"));
  const std::string raw = ToBase64(m.raw);
  stmt->Bind(1, m.uid)
      .Bind(2, m.dedup_key)
      .Bind(3, m.message_id)
      .Bind(4, m.via)
      .Bind(5, m.kind)
      .Bind(6, m.status)
      .Bind(7, m.from_address)
      .Bind(8, m.subject)
      .BindNullable(9, m.lead_id)
      .BindNullable(10, m.send_id)
      .Bind(11, m.matched_by)
      .Bind(12, m.address)
      .Bind(13, m.detail)
      .Bind(14, std::string_view(raw))
      .Bind(15, m.size)
      .Bind(16, int64_t{m.truncated ? 1 : 0})
      .Bind(17, ToUnixMillis(m.received_at));
  return InsertedId(*stmt);
}

StatusOr<bool> MarkSendBounced(Db& db, int64_t send_id, std::string_view reason, TimePoint now) {
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      db.Prepare("UPDATE email_sends SET status = 'bounced', reason = ?, updated_at = ? WHERE id = "
                 "? AND status = 'sent'"));
  stmt->Bind(1, reason).Bind(2, ToUnixMillis(now)).Bind(3, send_id);
  TANDEM_RETURN_IF_ERROR(stmt->Run());
  return db.Changes() > 0;
}

}  // namespace sql

namespace {

// A lead transaction that can queue email and record received messages.
class SqlInboundTxn final : public sql::SqlEmailOps<InboundTxn> {
 public:
  using SqlEmailOps::SqlEmailOps;

  // InboundWrites
  StatusOr<std::optional<InboundMessage>> FindInbound(std::string_view dedup_key) override {
    return FindInboundBy(db(), "dedup_key", dedup_key);
  }
  StatusOr<std::optional<EmailSend>> FindSendByMessageId(std::string_view message_id) override {
    return sql::FindSendByMessageId(db(), message_id);
  }
  StatusOr<std::optional<int64_t>> FindLeadByAddress(std::string_view address) override {
    return sql::FindLeadByAddress(db(), address);
  }
  StatusOr<std::optional<int64_t>> ResolveLead(int64_t person_id) override {
    return sql::ResolveLeadId(db(), person_id);
  }
  StatusOr<int64_t> CountSoftBounces(std::string_view address, TimePoint since,
                                     int64_t except_send) override {
    return sql::CountSoftBounces(db(), address, since, except_send);
  }
  StatusOr<int64_t> AddInbound(const InboundMessage& message) override {
    return sql::AddInbound(db(), message);
  }
  StatusOr<bool> MarkSendBounced(int64_t send_id, std::string_view reason, TimePoint now) override {
    return sql::MarkSendBounced(db(), send_id, reason, now);
  }
};

}  // namespace

StatusOr<std::unique_ptr<InboundTxn>> SqlStore::BeginInboundTxn() {
  TANDEM_ASSIGN_OR_RETURN(auto scope, BeginWrite(sql::WriteKind::kDefault));
  return std::unique_ptr<InboundTxn>(std::make_unique<SqlInboundTxn>(std::move(scope)));
}

StatusOr<std::optional<InboundMessage>> SqlStore::GetInbound(std::string_view uid) {
  TANDEM_ASSIGN_OR_RETURN(auto lease, Read());
  return FindInboundBy(lease->db(), "uid", uid);
}

StatusOr<std::vector<InboundMessage>> SqlStore::ListInbound(const InboundQuery& q) {
  TANDEM_ASSIGN_OR_RETURN(auto lease, Read());
  std::vector<std::string> where;
  std::vector<std::variant<int64_t, std::string>> binds;
  auto any_of = [&](const char* column, const std::vector<std::string>& values) {
    if (values.empty()) return;
    std::vector<std::string> marks(values.size(), "?");
    where.push_back(fmt::format("{} IN ({})", column, fmt::join(marks, ", ")));
    for (const std::string& v : values) binds.emplace_back(v);
  };
  if (q.lead_id) where.push_back("m.lead_id = ?"), binds.emplace_back(*q.lead_id);
  if (q.owner_id) where.push_back("l.owner_id = ?"), binds.emplace_back(*q.owner_id);
  any_of("m.kind", q.kinds);
  any_of("m.status", q.statuses);
  if (q.before_id > 0) where.push_back("m.id < ?"), binds.emplace_back(q.before_id);
  std::string sql = fmt::format("SELECT {} FROM inbound_messages m", kInboundListColumns);
  if (q.owner_id) sql += " JOIN leads l ON l.id = m.lead_id";
  if (!where.empty()) sql += fmt::format(" WHERE {}", fmt::join(where, " AND "));
  sql += " ORDER BY m.id DESC LIMIT ?";
  TANDEM_ASSIGN_OR_RETURN(Statement * stmt, lease->db().Prepare(sql));
  int i = 1;
  for (const auto& b : binds) std::visit([&](const auto& v) { stmt->Bind(i++, v); }, b);
  stmt->Bind(i, static_cast<int64_t>(q.limit));
  return sql::Collect<InboundMessage>(stmt, ReadInbound);
}

}  // namespace tandem
