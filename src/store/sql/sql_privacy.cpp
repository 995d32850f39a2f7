// What a person's access request reads beyond the other domains' reads.
#include "store/sql/sql_store.h"

namespace tandem {

using sql::Statement;

StatusOr<std::vector<TraitChange>> SqlStore::ListTraitHistory(int64_t lead_id) {
  TANDEM_ASSIGN_OR_RETURN(auto lease, Read());
  TANDEM_ASSIGN_OR_RETURN(
      Statement * list,
      lease->db().Prepare("SELECT trait, value, event_id, at FROM lead_trait_history WHERE "
                          "lead_id = ? ORDER BY at, id"));
  list->Bind(1, lead_id);
  return sql::Collect<TraitChange>(list, [](const Statement& s) {
    TraitChange t;
    t.trait = s.Text(0);
    if (!s.IsNull(1)) t.value = s.Text(1);
    t.event_id = s.NullableInt(2);
    t.at = FromUnixMillis(s.Int(3));
    return t;
  });
}

}  // namespace tandem
