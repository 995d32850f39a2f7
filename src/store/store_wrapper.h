// StoreWrapper: a Store that forwards every call to another, so tests can override
// one method to inject faults or delays and keep the real behaviour for the rest.
#pragma once

#include "store/store.h"

namespace tandem {

class StoreWrapper : public Store {
 public:
  // `target` must outlive the wrapper.
  explicit StoreWrapper(Store& target) : target_(target) {}

  Status Migrate() override { return target_.Migrate(); }
  StatusOr<int> SchemaVersion() override { return target_.SchemaVersion(); }
  StatusOr<Source> CreateSource(std::string_view name, std::string_view write_key,
                                TimePoint now) override {
    return target_.CreateSource(name, write_key, now);
  }
  StatusOr<std::optional<Source>> FindSourceByWriteKey(std::string_view write_key) override {
    return target_.FindSourceByWriteKey(write_key);
  }
  StatusOr<std::vector<Source>> ListSources() override { return target_.ListSources(); }
  StatusOr<AppendResult> AppendEvents(std::span<const EventRecord> events) override {
    return target_.AppendEvents(events);
  }
  StatusOr<std::optional<StoredEvent>> FindEvent(int64_t source_id,
                                                 std::string_view message_id) override {
    return target_.FindEvent(source_id, message_id);
  }
  StatusOr<std::vector<StoredEvent>> ListPersonEvents(int64_t person_id, size_t limit) override {
    return target_.ListPersonEvents(person_id, limit);
  }
  StatusOr<int64_t> CountEvents() override { return target_.CountEvents(); }
  StatusOr<int64_t> CountUnprocessedEvents() override { return target_.CountUnprocessedEvents(); }
  StatusOr<std::optional<int64_t>> FindPersonByIdentity(const Identity& identity) override {
    return target_.FindPersonByIdentity(identity);
  }
  StatusOr<std::optional<Person>> GetPerson(int64_t person_id) override {
    return target_.GetPerson(person_id);
  }
  StatusOr<std::unique_ptr<ProcessingTxn>> BeginProcessing() override {
    return target_.BeginProcessing();
  }

 protected:
  Store& target() { return target_; }

 private:
  Store& target_;
};

}  // namespace tandem
