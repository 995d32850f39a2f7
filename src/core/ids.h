// The public ids of leads and users as the API, webhooks and messages show them:
// "ld_<n>" and "usr_<n>" (design §9).
#pragma once

#include <cstdint>
#include <string>

namespace tandem {

inline std::string LeadIdText(int64_t id) { return "ld_" + std::to_string(id); }
inline std::string UserIdText(int64_t id) { return "usr_" + std::to_string(id); }

}  // namespace tandem
