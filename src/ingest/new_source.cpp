#include "ingest/new_source.h"

#include <fmt/format.h>

#include "core/random.h"
#include "core/text.h"

namespace tandem {
namespace {

Status CheckSourceName(std::string_view name) {
  if (name.empty() || name.size() > 200) {
    return Unprocessable("invalid_name", "a source name must be 1 to 200 characters");
  }
  for (unsigned char c : name) {
    if (c < 0x20 || c == 0x7f) {
      return Unprocessable("invalid_name", "a source name cannot hold a control character");
    }
  }
  return OkStatus();
}

Status NameTaken(std::string_view name) {
  return Conflict("source_name_taken",
                  fmt::format("a source named \"{}\" already exists; pick another name", name));
}

}  // namespace

StatusOr<Source> AddSource(EventStore& store, std::string_view name, TimePoint now) {
  const std::string trimmed(TrimSpace(name));
  TANDEM_RETURN_IF_ERROR(CheckSourceName(trimmed));
  TANDEM_ASSIGN_OR_RETURN(std::vector<Source> sources, store.ListSources());
  for (const Source& s : sources) {
    if (EqualsNoCase(s.name, trimmed)) return NameTaken(s.name);
  }
  auto created = store.CreateSource(trimmed, RandomToken(24), now);
  // Another request added the name meanwhile: the store's unique index refused it.
  if (created.status().code() == StatusCode::kConflict) return NameTaken(trimmed);
  return created;
}

}  // namespace tandem
