#include "ingest/source_directory.h"

namespace tandem {

StatusOr<std::optional<Source>> SourceDirectory::Find(std::string_view write_key) {
  std::string key(write_key);
  const TimePoint now = clock_.Now();
  {
    std::shared_lock lock(mu_);
    if (auto it = known_.find(key); it != known_.end()) return std::optional<Source>(it->second);
    if (auto it = unknown_.find(key); it != unknown_.end() && it->second > now) {
      return std::optional<Source>();
    }
  }
  TANDEM_ASSIGN_OR_RETURN(std::optional<Source> source, store_.FindSourceByWriteKey(key));
  std::unique_lock lock(mu_);
  if (source) {
    known_.emplace(key, *source);
    unknown_.erase(key);
  } else {
    if (unknown_.size() > 10000)
      unknown_.clear();  // bound the memory a key-guessing client can take
    unknown_[key] = now + kNegativeTtl;
  }
  return source;
}

}  // namespace tandem
