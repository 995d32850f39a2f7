// The contact policy ([contact]) and the follow-up SLA ([sla]): configuration the
// contact gate and the SLA timers apply. Every field has the default a fresh install
// runs with; tandem.example.toml spells them out.
#pragma once

#include <array>
#include <map>
#include <string>
#include <vector>

#include "auth/role.h"
#include "contact/channel.h"
#include "core/stage.h"

namespace tandem {

// Where an address came from; purchased and harvested ones have no inbound basis.
const std::vector<std::string>& AddressSources();  // form, event, api, import, purchased, harvested

struct FrequencyCap {
  int max = 3;   // touches
  int days = 7;  // in any window of this many days
};

struct ContactConfig {
  // When each channel may reach a lead, in the lead's local time ([start, end) minutes).
  std::map<Channel, std::pair<int, int>> hours = {{Channel::kCall, {8 * 60, 20 * 60}},
                                                  {Channel::kSms, {8 * 60, 20 * 60}}};
  // A lead whose time zone is unknown: refuse channels with hours (false) or only warn.
  bool allow_unknown_timezone = false;
  // Outbound touches across the whole company, all channels together and per channel.
  FrequencyCap overall = {3, 7};
  std::map<Channel, FrequencyCap> channel_caps = {{Channel::kCall, {1, 1}}};
  // After a user's touch, other users wait this long.
  int cooldown_hours = 48;
  // Stages in which nobody starts sales outreach.
  std::vector<Stage> closed_stages = {Stage::kDisqualified, Stage::kCustomer};
  // Lawful basis per purpose: "inbound" (the person gave the address themselves, and
  // did not withdraw) or "consent" (a granted consent record is needed).
  std::map<Purpose, std::string> consent = {{Purpose::kSalesOutreach, "inbound"},
                                            {Purpose::kEmailMarketing, "consent"},
                                            {Purpose::kPhone, "consent"}};
  // Who may override, and which refusals can be overridden (never unsubscribed,
  // do_not_contact or no_consent: those are the person's will or the law).
  std::vector<Role> override_roles = {Role::kSalesManager, Role::kAdmin};
  std::vector<std::string> overridable = {
      "not_owner",     "sla_owner_only",        "quiet_hours",  "out_of_office",
      "frequency_cap", "recent_touch_by_other", "stage_closed", "unknown_timezone"};
  // Engagement points an inbound touch (the lead replied or called) earns.
  double inbound_touch_points = 15;
};

}  // namespace tandem
