#include "pipeline/brief_backfill.h"

#include <fmt/format.h>

#include <charconv>
#include <string>

#include "brief/brief_event.h"

namespace tandem {

StatusOr<int64_t> BackfillBriefEvents(ProcessingSource& source, SettingsStore& settings,
                                      size_t batch) {
  TANDEM_ASSIGN_OR_RETURN(std::optional<std::string> upto_text,
                          settings.GetSetting(kBriefBackfillSetting));
  if (!upto_text || *upto_text == "done") return int64_t{0};
  int64_t upto = 0;
  const char* end = upto_text->data() + upto_text->size();
  if (auto [ptr, ec] = std::from_chars(upto_text->data(), end, upto);
      ec != std::errc() || ptr != end) {
    return Internal(
        fmt::format("setting {} holds \"{}\", not an event id", kBriefBackfillSetting, *upto_text));
  }
  int64_t kept = 0;
  for (int64_t after = 0;;) {
    TANDEM_ASSIGN_OR_RETURN(auto txn, source.BeginProcessing(true));
    TANDEM_ASSIGN_OR_RETURN(std::vector<StoredEvent> events,
                            txn->StitchedEvents(after, upto, batch));
    if (events.empty()) break;
    const BriefEvents brief = ExtractBriefEvents(events);
    for (size_t i = 0; i < events.size(); ++i) {
      TANDEM_RETURN_IF_ERROR(txn->KeepBriefEvent(*events[i].person_id, brief[i]));
    }
    TANDEM_RETURN_IF_ERROR(txn->Commit());
    after = events.back().id;
    kept += static_cast<int64_t>(events.size());
  }
  TANDEM_RETURN_IF_ERROR(settings.PutSetting(kBriefBackfillSetting, "done"));
  return kept;
}

}  // namespace tandem
