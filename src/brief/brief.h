// The handoff brief: what the owner of a lead needs before the first contact — why now,
// who, whether and how they may be contacted, the journey, the campaign, what to talk
// about and what not to say, the score's reasons, the history and the next step.
//
// BuildBrief is a pure function of the lead's data (no store, no clock): the same input
// gives the same brief, byte for byte, which the golden tests rely on. Every section
// says so when it has no data ("note") rather than inventing any. The Markdown and HTML
// forms are rendered from the JSON, so the three never disagree.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "auth/user.h"
#include "brief/brief_event.h"
#include "catalog/catalog.h"
#include "contact/contact_records.h"
#include "contact/gate.h"
#include "leads/lead.h"
#include "routing/assignment.h"
#include "scoring/scorer.h"

namespace tandem {

// Move-only (the events own their text).
struct BriefInput {
  LeadRecord lead;
  std::optional<UserRecord> owner;
  std::vector<UserRecord> users;  // to name previous owners and who touched the lead
  BriefEvents events;             // the person's events, oldest first
  ScoreExplanation score;
  std::vector<AssignmentRecord> assignments;  // oldest first
  std::vector<LeadLogEntry> log;              // oldest first
  std::vector<TouchRecord> touches;           // oldest first
  ContactPrefs prefs;
  LeadZone zone;
  // The contact gate's answers for the owner (or, without one, for whoever gets the
  // lead) for a sales call and a sales email now.
  ContactDecision call;
  ContactDecision email;
  Catalog catalog;
  std::vector<std::string> hand_raise_events;
  std::vector<std::string> hand_raise_forms;
  TimePoint now;
};

nlohmann::json BuildBrief(const BriefInput& input);

// The brief's why_now section alone (an inbox shows its line for every lead).
nlohmann::json BuildWhyNow(const BriefInput& input);

std::string RenderBriefMarkdown(const nlohmann::json& brief);
// A complete HTML document with no scripts and no external resources.
std::string RenderBriefHtml(const nlohmann::json& brief);

// What an owner must not do or say, in every brief.
const std::vector<std::string>& BriefDontList();
// Phrases a talking point never carries (tracking, "you were on our website", thanks
// for an interest in the company); catalog text that holds one is left out and named.
const std::vector<std::string>& ForbiddenTalkingPhrases();

}  // namespace tandem
