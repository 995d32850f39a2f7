#include "imports/import_run.h"

#include <fmt/format.h>
#include <sodium.h>

#include <algorithm>
#include <future>
#include <nlohmann/json.hpp>
#include <optional>
#include <unordered_map>

#include "contact/contact_policy.h"
#include "core/text.h"
#include "core/time_format.h"
#include "identity/email.h"
#include "imports/lead_event.h"
#include "ingest/new_source.h"

namespace tandem {
namespace {

// Whom an owner column may name: a user's email address, or a name only one user has.
class OwnerDirectory {
 public:
  explicit OwnerDirectory(const std::vector<UserRecord>& users) {
    for (const UserRecord& u : users) {
      by_email_[NormalizeEmail(u.email)] = &u;
      std::string name = LowerAscii(u.name);
      if (name.empty()) continue;
      auto [it, added] = by_name_.emplace(name, &u);
      if (!added) it->second = nullptr;  // two users share it: ambiguous
    }
  }

  // The user, or why the row cannot name them.
  std::variant<const UserRecord*, std::string> Find(std::string_view owner) const {
    const UserRecord* user = nullptr;
    if (owner.find('@') != std::string_view::npos) {
      auto it = by_email_.find(NormalizeEmail(owner));
      if (it == by_email_.end()) {
        return fmt::format("owner \"{}\" is not a user of this workspace", owner);
      }
      user = it->second;
    } else {
      auto it = by_name_.find(LowerAscii(owner));
      if (it == by_name_.end()) {
        return fmt::format("owner \"{}\" is not a user of this workspace", owner);
      }
      if (it->second == nullptr) {
        return fmt::format("owner \"{}\" names two users; give the owner's email instead", owner);
      }
      user = it->second;
    }
    if (!user->active) return fmt::format("owner \"{}\" is not an active user", owner);
    return user;
  }

 private:
  std::unordered_map<std::string, const UserRecord*> by_email_;
  std::unordered_map<std::string, const UserRecord*> by_name_;  // nullptr: ambiguous
};

// Reads the rows after the header and stores them a batch at a time.
class ImportRun {
 public:
  ImportRun(std::string_view file_key, const ImportOptions& options,
            const std::vector<UserRecord>& users, int64_t source_id, TimePoint now,
            const ImportSink& sink, const ImportProgress& progress)
      : file_key_(file_key),
        options_(options),
        owners_(users),
        source_id_(source_id),
        now_(now),
        sink_(sink),
        progress_(progress) {
    summary_.file_key = std::string(file_key);
  }

  Status OnRecord(CsvRecord&& record) {
    if (!mapping_) return ReadHeader(record);
    ++summary_.rows;
    if (progress_ && summary_.rows % 500 == 0) progress_(summary_.rows);
    auto read = ReadLeadRow(record, *mapping_, options_.defaults);
    if (auto* problem = std::get_if<CsvProblem>(&read)) {
      summary_.rejected.push_back(std::move(*problem));
      return OkStatus();
    }
    ImportedLead& lead = std::get<ImportedLead>(read);
    std::optional<int64_t> owner_id;
    if (!lead.owner.empty()) {
      auto found = owners_.Find(lead.owner);
      if (auto* why = std::get_if<std::string>(&found)) {
        summary_.rejected.push_back({lead.line, fmt::format("line {}: {}", lead.line, *why)});
        return OkStatus();
      }
      owner_id = std::get<const UserRecord*>(found)->id;
    }
    ++summary_.accepted;
    address_hashes_.push_back(AddressHash(lead.email));
    if (options_.dry_run) return OkStatus();
    batch_.push_back(LeadArrivalEvent(lead, owner_id, {{"file", file_key_}, {"line", lead.line}},
                                      fmt::format("import:{}:{}", file_key_, lead.line), source_id_,
                                      now_));
    if (batch_.size() >= options_.batch_rows) return Flush();
    return OkStatus();
  }

  // A record the file breaks (its quoting): a row, rejected.
  void OnProblem(CsvProblem&& problem) {
    if (mapping_) ++summary_.rows;
    summary_.rejected.push_back(std::move(problem));
  }

  StatusOr<ImportSummary> Finish(const CsvFileFacts& facts) {
    if (!mapping_) {
      return Unprocessable("empty_file", "the file has no header row (and no rows)");
    }
    TANDEM_RETURN_IF_ERROR(Flush());
    TANDEM_RETURN_IF_ERROR(AwaitStored());
    if (progress_) progress_(summary_.rows);
    summary_.encoding = std::string(TextEncodingName(facts.encoding));
    std::sort(address_hashes_.begin(), address_hashes_.end());
    for (size_t i = 1; i < address_hashes_.size(); ++i) {
      if (address_hashes_[i] == address_hashes_[i - 1]) ++summary_.repeated_addresses;
    }
    std::stable_sort(summary_.rejected.begin(), summary_.rejected.end(),
                     [](const CsvProblem& a, const CsvProblem& b) { return a.line < b.line; });
    return std::move(summary_);
  }

 private:
  Status ReadHeader(const CsvRecord& header) {
    TANDEM_ASSIGN_OR_RETURN(ColumnMapping mapping, MapColumns(header.fields, options_.mapping));
    summary_.recognized_as = mapping.recognized_as;
    summary_.ignored_columns = mapping.ignored;
    mapping_ = std::move(mapping);
    return OkStatus();
  }

  // Hands the batch to the store and goes on reading: the store writes one batch while
  // the next is read and checked, so the two costs overlap instead of adding up.
  Status Flush() {
    if (batch_.empty()) return OkStatus();
    TANDEM_RETURN_IF_ERROR(AwaitStored());
    storing_.swap(batch_);
    batch_.clear();
    stored_ = std::async(std::launch::async,
                         [this]() -> StatusOr<AppendResult> { return sink_(storing_); });
    return OkStatus();
  }

  // Waits for the batch being stored and counts it.
  Status AwaitStored() {
    if (!stored_.valid()) return OkStatus();
    StatusOr<AppendResult> result = stored_.get();
    if (!result.ok()) return result.status();
    summary_.stored += static_cast<int64_t>(result->stored);
    summary_.already_imported += static_cast<int64_t>(result->duplicates);
    return OkStatus();
  }

  static uint64_t AddressHash(std::string_view email) {
    uint64_t h = 0;
    crypto_generichash(reinterpret_cast<unsigned char*>(&h), sizeof h,
                       reinterpret_cast<const unsigned char*>(email.data()), email.size(), nullptr,
                       0);
    return h;
  }

  const std::string_view file_key_;
  const ImportOptions& options_;
  const OwnerDirectory owners_;
  const int64_t source_id_;
  const TimePoint now_;
  const ImportSink& sink_;
  const ImportProgress& progress_;
  std::optional<ColumnMapping> mapping_;
  std::vector<EventRecord> batch_;    // being read
  std::vector<EventRecord> storing_;  // being stored, by stored_ (declared after: awaited first)
  std::future<StatusOr<AppendResult>> stored_;
  std::vector<uint64_t> address_hashes_;  // 8 bytes a row: a million rows stay small
  ImportSummary summary_;
};

}  // namespace

Status CheckImportDefaults(const ImportDefaults& defaults) {
  const auto& sources = AddressSources();
  if (std::find(sources.begin(), sources.end(), defaults.address_source) == sources.end()) {
    return Unprocessable("invalid_address_source",
                         fmt::format("address source \"{}\" must be one of {}",
                                     defaults.address_source, fmt::join(sources, ", ")));
  }
  if (defaults.consent_basis != "consent" && defaults.consent_basis != "none") {
    return Unprocessable(
        "invalid_consent_basis",
        fmt::format("consent basis \"{}\" must be consent or none", defaults.consent_basis));
  }
  if (defaults.consent_basis == "consent" &&
      (defaults.address_source == "purchased" || defaults.address_source == "harvested")) {
    return Unprocessable("invalid_consent_basis",
                         fmt::format("a {} address carries no consent given to you: its consent "
                                     "basis must be none",
                                     defaults.address_source));
  }
  if (defaults.consent_basis == "consent" && defaults.consent_wording.empty()) {
    return Unprocessable("wording_required",
                         "consent basis consent needs the consent's wording: the exact text the "
                         "people of this file agreed to");
  }
  return OkStatus();
}

nlohmann::json ImportSummaryToJson(const ImportSummary& summary, bool dry_run) {
  nlohmann::json rejected = nlohmann::json::array();
  for (const CsvProblem& p : summary.rejected) {
    rejected.push_back({{"line", p.line}, {"message", p.message}});
  }
  return {{"file", summary.file_key},
          {"dry_run", dry_run},
          {"recognized_as", summary.recognized_as},
          {"ignored_columns", summary.ignored_columns},
          {"encoding", summary.encoding},
          {"rows", summary.rows},
          {"accepted", summary.accepted},
          {"stored", summary.stored},
          {"already_imported", summary.already_imported},
          {"repeated_addresses", summary.repeated_addresses},
          {"rejected_count", summary.rejected.size()},
          {"rejected", std::move(rejected)}};
}

StatusOr<std::string> ImportFileKey(std::istream& in) {
  crypto_generichash_state state;
  constexpr size_t kBytes = 16;
  crypto_generichash_init(&state, nullptr, 0, kBytes);
  std::vector<char> buffer(1 << 16);
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(buffer.data()),
                              static_cast<unsigned long long>(in.gcount()));
  }
  if (in.bad()) return Unavailable("import_unreadable", "the file could not be read");
  unsigned char digest[kBytes];
  crypto_generichash_final(&state, digest, kBytes);
  std::string hex;
  for (unsigned char b : digest) hex += fmt::format("{:02x}", b);
  return hex;
}

StatusOr<ImportSummary> RunLeadImport(std::istream& in, std::string_view file_key,
                                      const ImportOptions& options,
                                      const std::vector<UserRecord>& users, int64_t source_id,
                                      TimePoint now, const ImportSink& sink,
                                      const ImportProgress& progress) {
  TANDEM_RETURN_IF_ERROR(CheckImportDefaults(options.defaults));
  ImportRun run(file_key, options, users, source_id, now, sink, progress);
  TANDEM_ASSIGN_OR_RETURN(
      CsvFileFacts facts,
      ReadCsv(
          in, [&](CsvRecord&& record) { return run.OnRecord(std::move(record)); },
          [&](CsvProblem&& problem) { run.OnProblem(std::move(problem)); }));
  return run.Finish(facts);
}

StatusOr<Source> FindOrCreateSource(EventStore& store, std::string_view name, TimePoint now) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    TANDEM_ASSIGN_OR_RETURN(std::vector<Source> sources, store.ListSources());
    for (Source& s : sources) {
      if (s.name == name) return std::move(s);
    }
    auto created = AddSource(store, name, now);
    // Another import created it meanwhile: the second look finds it.
    if (created.ok() || created.status().code() != StatusCode::kConflict) return created;
  }
  return Conflict("source_name_taken", fmt::format("the source \"{}\" could not be made", name));
}

StatusOr<ImportSummary> ImportLeadFile(EventStore& store, std::istream& in,
                                       std::string_view file_key, const ImportOptions& options,
                                       const std::vector<UserRecord>& users, TimePoint now,
                                       const ImportProgress& progress) {
  int64_t source_id = 0;
  if (!options.dry_run) {
    TANDEM_ASSIGN_OR_RETURN(Source source, FindOrCreateSource(store, kImportSourceName, now));
    source_id = source.id;
  }
  ImportSink sink = [&store](std::span<const EventRecord> events) {
    return store.AppendEvents(events);
  };
  return RunLeadImport(in, file_key, options, users, source_id, now, sink, progress);
}

}  // namespace tandem
