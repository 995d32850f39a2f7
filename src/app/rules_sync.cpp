#include "app/rules_sync.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <functional>
#include <nlohmann/json.hpp>

#include "audit/audit_trail.h"
#include "config/rules_text.h"
#include "leads/rescore.h"

namespace tandem {
namespace {

// The hash of the rules tandem.toml held when they were last recorded.
constexpr std::string_view kFileRulesSetting = "rules_file_hash";

std::string TextHash(const std::string& text) {
  return fmt::format("{:016x}", std::hash<std::string>{}(text));
}

// Records the file's rules as a new version when the file changed since it was last read.
Status SeedFromFile(Store& store, const Config& config, TimePoint now) {
  const std::string file = RulesToml(config.scoring, config.routing);
  TANDEM_ASSIGN_OR_RETURN(auto recorded, store.GetSetting(kFileRulesSetting));
  TANDEM_ASSIGN_OR_RETURN(auto latest, store.LatestRuleVersion());
  if (latest && recorded == TextHash(file)) return OkStatus();
  if (!latest || latest->toml != file) {
    RuleVersion version{
        0,
        file,
        "config",
        std::nullopt,
        latest ? fmt::format("{} changed", config.origin) : fmt::format("from {}", config.origin),
        now};
    auto added = store.AddRuleVersion(version, latest ? latest->version : 0);
    // Another instance starting with the same file recorded it first.
    if (!added.ok() && added.status().error_code() != "rules_changed") return added.status();
    if (added.ok())
      spdlog::info("the rules of {} are version {}",
                   config.origin == "defaults" ? "the defaults" : config.origin, added->version);
  }
  return store.PutSetting(kFileRulesSetting, TextHash(file));
}

Status InForce(LeadEngine& engine, const RuleVersion& version) {
  TANDEM_ASSIGN_OR_RETURN(
      LeadRules rules, ParseRules(version.toml, fmt::format("rules version {}", version.version)));
  engine.SetRules(std::move(rules.scoring), std::move(rules.routing));
  return OkStatus();
}

}  // namespace

StatusOr<int64_t> PutRulesInForce(Store& store, LeadEngine& engine, const Config& config,
                                  TimePoint now, bool seed) {
  if (seed) TANDEM_RETURN_IF_ERROR(SeedFromFile(store, config, now));
  TANDEM_ASSIGN_OR_RETURN(auto latest, store.LatestRuleVersion());
  if (!latest) return 0;
  TANDEM_RETURN_IF_ERROR(InForce(engine, *latest));
  return latest->version;
}

StatusOr<std::unique_ptr<LeadEngine>> EngineInForce(const Config& config, Store& store,
                                                    TimePoint now, bool seed,
                                                    OwnerBriefSource owner_brief) {
  auto engine = std::make_unique<LeadEngine>(config.scoring, config.routing, config.webhooks,
                                             config.contact, config.sla, std::move(owner_brief));
  TANDEM_RETURN_IF_ERROR(PutRulesInForce(store, *engine, config, now, seed).status());
  return engine;
}

StatusOr<size_t> RescoreIfRulesChanged(Store& store, const LeadEngine& engine, const Clock& clock) {
  TANDEM_ASSIGN_OR_RETURN(bool needed, RescoreNeeded(store, engine));
  if (!needed) return size_t{0};
  const auto started = std::chrono::steady_clock::now();
  TANDEM_ASSIGN_OR_RETURN(size_t leads, RescoreAll(store, engine, clock));
  spdlog::info("scoring rules changed: rescored {} leads in {} ms", leads,
               std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::steady_clock::now() - started)
                   .count());
  const nlohmann::json detail = {
      {"rules", "scoring"}, {"policy", ScoringPolicyHash(*engine.scoring())}, {"rescored", leads}};
  TANDEM_RETURN_IF_ERROR(
      AuditTrail(store, clock)
          .Record(AuditActor::System(), audit_action::kRulesChanged, "", detail.dump())
          .status());
  return leads;
}

void RulesWatch::Start(std::chrono::milliseconds every) {
  thread_ = std::thread([this, every] { Run(every); });
}

Status RulesWatch::PutInForce(const RuleVersion& version) {
  std::lock_guard lock(mu_);
  if (version.version <= in_force_) return OkStatus();
  TANDEM_RETURN_IF_ERROR(InForce(engine_, version));
  in_force_ = version.version;
  rescore_ = true;
  wake_.notify_one();
  return OkStatus();
}

Status RulesWatch::Apply(const RuleVersion& version) { return PutInForce(version); }

void RulesWatch::Run(std::chrono::milliseconds every) {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    wake_.wait_for(lock, every, [this] { return stopping_ || rescore_; });
    if (stopping_) break;
    rescore_ = false;
    lock.unlock();
    // A version another instance saved.
    auto latest = store_.LatestRuleVersion();
    Status s = latest.ok() ? (*latest ? PutInForce(**latest) : OkStatus()) : latest.status();
    if (s.ok()) s = RescoreIfRulesChanged(store_, engine_, clock_).status();
    if (!s.ok())
      spdlog::error("the rules in force could not be brought up to date: {}", s.ToString());
    lock.lock();
  }
}

void RulesWatch::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace tandem
