// Experiments as records: what may be kept, what may change, and how persons fall in arms.
#include "experiments/experiment.h"

#include <gtest/gtest.h>

#include "experiments/sample_ratio.h"

namespace tandem {
namespace {

Experiment SubjectTest() {
  Experiment e;
  e.key = "webinar-subject";
  e.name = "Webinar invitation: subject";
  e.kind = ExperimentKind::kEmail;
  e.broadcast_id = 7;
  e.variants = {{"control", 0.5, "", ""}, {"question", 0.5, "Still losing leads?", ""}};
  return e;
}

std::string CodeOf(const Experiment& e) { return ValidateExperiment(e).error_code(); }

TEST(ExperimentTest, AValidExperimentPasses) {
  EXPECT_TRUE(ValidateExperiment(SubjectTest()).ok());
  Experiment web;
  web.key = "pricing-headline";
  web.name = "Pricing headline";
  web.kind = ExperimentKind::kWeb;
  web.variants = {{"a", 0.34, "", ""}, {"b", 0.33, "", ""}, {"c", 0.33, "", ""}};
  EXPECT_TRUE(ValidateExperiment(web).ok()) << ValidateExperiment(web).message();
}

TEST(ExperimentTest, WeightsThatDoNotSumToOneAreRefusedWithTheirSum) {
  Experiment e = SubjectTest();
  e.variants[1].weight = 0.4;
  const Status status = ValidateExperiment(e);
  EXPECT_EQ(status.error_code(), "invalid_weights");
  EXPECT_NE(status.message().find("0.9"), std::string::npos) << status.message();
  e.variants[1].weight = 0;
  EXPECT_EQ(CodeOf(e), "invalid_weights");
}

TEST(ExperimentTest, BadFieldsAreNamed) {
  Experiment e = SubjectTest();
  e.variants[1].key = "control";
  Status status = ValidateExperiment(e);
  EXPECT_EQ(status.error_code(), "invalid_variant");
  EXPECT_NE(status.message().find("variants[1].key"), std::string::npos);

  e = SubjectTest();
  e.variants[1].subject = "Hi\r\nBcc: everyone@example.com";  // a header injection
  status = ValidateExperiment(e);
  EXPECT_EQ(status.error_code(), "invalid_variant");
  EXPECT_NE(status.message().find("variants[1].subject"), std::string::npos);

  e = SubjectTest();
  e.key = "Webinar Subject";
  EXPECT_EQ(CodeOf(e), "invalid_key");
  e = SubjectTest();
  e.variants.resize(1);
  e.variants[0].weight = 0.5;
  EXPECT_EQ(CodeOf(e), "invalid_variants");
  e = SubjectTest();
  e.broadcast_id.reset();
  EXPECT_EQ(CodeOf(e), "invalid_target");
  e.sequence_id = 3;
  EXPECT_EQ(CodeOf(e), "invalid_target");  // no step
  e.sequence_step = 2;
  EXPECT_TRUE(ValidateExperiment(e).ok());
  e.kind = ExperimentKind::kWeb;
  EXPECT_EQ(CodeOf(e), "invalid_target");
  e = SubjectTest();
  e.window_days = 0;
  EXPECT_EQ(CodeOf(e), "invalid_window");
  e = SubjectTest();
  e.baseline = 0.9;  // +20% leaves (0, 1)
  EXPECT_EQ(CodeOf(e), "invalid_baseline");
  e.metric = ExperimentMetric::kPipeline;  // an amount has no ceiling
  e.baseline = 250000;
  EXPECT_TRUE(ValidateExperiment(e).ok());
}

TEST(ExperimentTest, AStartedExperimentsVariantsNoLongerChange) {
  Experiment e = SubjectTest();
  EXPECT_TRUE(CheckRevisable(e).ok());
  e.state = ExperimentState::kRunning;
  const Status status = CheckRevisable(e);
  EXPECT_EQ(status.code(), StatusCode::kConflict);
  EXPECT_EQ(status.error_code(), "experiment_started");
  EXPECT_NE(status.message().find("new version"), std::string::npos);
  e.state = ExperimentState::kStopped;
  EXPECT_FALSE(CheckRevisable(e).ok());
}

TEST(AssignArmTest, IsStableAndTheSameAsTheSnippets) {
  const std::vector<double> halves = {0.5, 0.5};
  // The browser snippet's test checks these same values (tests/web/).
  EXPECT_EQ(AssignArm("pricing-headline", 1, halves, "user-42"),
            AssignArm("pricing-headline", 1, halves, "user-42"));
  std::vector<size_t> arms;
  for (const char* person : {"user-42", "anon-7f3a", "1001", "1002"}) {
    arms.push_back(AssignArm("pricing-headline", 1, halves, person));
  }
  EXPECT_EQ(arms, (std::vector<size_t>{0, 1, 0, 1}));
}

TEST(AssignArmTest, SequentialIdsFillTheArmsByTheirWeights) {
  const std::vector<double> weights = {0.5, 0.25, 0.25};
  std::vector<int64_t> counts(3);
  for (int id = 1; id <= 100000; ++id) {
    ++counts[AssignArm("webinar-subject", 1, weights, std::to_string(id))];
  }
  const SampleRatio ratio = CheckSampleRatio(counts, weights);
  EXPECT_GT(ratio.p_value, 0.001) << counts[0] << " " << counts[1] << " " << counts[2];
}

TEST(AssignArmTest, TwoExperimentsOrTwoVersionsAssignIndependently) {
  const std::vector<double> halves = {0.5, 0.5};
  std::vector<int64_t> cells(4);  // (arm in a) * 2 + arm in b
  std::vector<int64_t> versions(4);
  for (int id = 1; id <= 40000; ++id) {
    const std::string person = std::to_string(id);
    const size_t a = AssignArm("webinar-subject", 1, halves, person);
    ++cells[a * 2 + AssignArm("pricing-headline", 1, halves, person)];
    ++versions[a * 2 + AssignArm("webinar-subject", 2, halves, person)];
  }
  EXPECT_GT(CheckSampleRatio(cells, {0.25, 0.25, 0.25, 0.25}).p_value, 0.001);
  EXPECT_GT(CheckSampleRatio(versions, {0.25, 0.25, 0.25, 0.25}).p_value, 0.001);
}

}  // namespace
}  // namespace tandem
