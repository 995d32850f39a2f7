// The scoring and routing rules in force (rules/rule_store.h): kept as versions in the
// store, so every instance follows the same rules and the history says who changed
// what, when and why. tandem.toml's [scoring] and [routing] remain a way to set them: a
// start that finds the file's rules changed since it last read them records them as a
// new version (origin "config"), so an edited file wins, as it did before the rules
// page existed. The web app saves versions of its own (origin "app").
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>

#include "config/config.h"
#include "core/clock.h"
#include "leads/lead_engine.h"
#include "store/store.h"

namespace tandem {

// Puts the newest stored rules in force on `engine`. With `seed`, tandem.toml's rules
// first become a new version when they differ from what the file held at the last
// seeding. Returns the version in force (0: none stored, the file's rules).
StatusOr<int64_t> PutRulesInForce(Store& store, LeadEngine& engine, const Config& config,
                                  TimePoint now, bool seed);

// A lead engine with tandem.toml's policies and the rules in force; `seed` as above (a
// command that only reads passes false).
StatusOr<std::unique_ptr<LeadEngine>> EngineInForce(const Config& config, Store& store,
                                                    TimePoint now, bool seed,
                                                    OwnerBriefSource owner_brief);

// Rescores every lead when the stored scores follow other scoring rules, logging and
// auditing it. Returns how many leads were rescored.
StatusOr<size_t> RescoreIfRulesChanged(Store& store, const LeadEngine& engine, const Clock& clock);

// RulesWatch: on a thread of its own, a server looks every few seconds for a version
// another instance saved, puts it in force and rescores when the scoring changed.
class RulesWatch {
 public:
  // Everything must outlive the watch. `in_force`: the version in force now.
  RulesWatch(Store& store, LeadEngine& engine, const Clock& clock, int64_t in_force)
      : store_(store), engine_(engine), clock_(clock), in_force_(in_force) {}
  ~RulesWatch() { Stop(); }
  RulesWatch(const RulesWatch&) = delete;
  RulesWatch& operator=(const RulesWatch&) = delete;

  void Start(std::chrono::milliseconds every);
  // A version this instance saved: in force at once; the rescore runs on the thread.
  Status Apply(const RuleVersion& version);
  // Waits for a rescore under way, then stops the thread. Idempotent.
  void Stop();

 private:
  void Run(std::chrono::milliseconds every);
  // In force: `version`, unless a newer one already is.
  Status PutInForce(const RuleVersion& version);

  Store& store_;
  LeadEngine& engine_;
  const Clock& clock_;
  std::mutex mu_;
  std::condition_variable wake_;
  int64_t in_force_;       // guarded by mu_
  bool rescore_ = false;   // guarded by mu_
  bool stopping_ = false;  // guarded by mu_
  std::thread thread_;
};

}  // namespace tandem
