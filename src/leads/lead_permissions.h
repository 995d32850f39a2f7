// The permission rules of auth/ applied to a lead record: who may work a lead.
#pragma once

#include "auth/permissions.h"
#include "leads/lead.h"

namespace tandem {

// Owner, sales manager or admin; marketing on leads nobody owns (auth/permissions.h).
inline Status CheckCanWorkLead(const UserRecord& actor, const LeadRecord& lead) {
  return CheckCanWorkLead(actor, lead.id, lead.owner_id);
}

}  // namespace tandem
