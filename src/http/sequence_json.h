// Sequences as the API shows them, and a sequence read from a request body.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.h"
#include "sequences/sequence_records.h"
#include "sequences/sequence_store.h"

namespace tandem::http {

nlohmann::json SequenceJson(const Sequence& s, const std::map<std::string, int64_t>& enrolments);
// `s` (nullable): the enrolment's sequence, for its name and the next step's kind.
nlohmann::json EnrolmentJson(const Enrolment& e, const Sequence* s);
nlohmann::json StepRunJson(const StepRun& run);

// The fields of a sequence's body (name, kind, owner_id, filter_id, on_refused, state,
// steps), into `s`: 400/422 naming the field that is wrong. Fields absent keep `s`'s.
Status ReadSequenceBody(const nlohmann::json& body, Sequence& s);

}  // namespace tandem::http
