#include "cirrus/study/definition.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

namespace cirrus::study {
namespace {

using ::testing::HasSubstr;

constexpr std::string_view kMinimal = R"toml(
[study]
code = "S"

[[endpoints]]
name = "Overall survival"
events = ["death"]
)toml";

std::string Error(std::string_view text) {
  auto parsed = ParseStudyDefinition(text, "s.toml");
  EXPECT_FALSE(parsed.has_value());
  return parsed ? std::string() : parsed.error().message;
}

TEST(StudyDefinition, DefaultsOfAMinimalFile) {
  auto d = ParseStudyDefinition(kMinimal, "s.toml");
  ASSERT_TRUE(d.has_value()) << d.error().message;
  EXPECT_EQ(d->code, "S");
  EXPECT_EQ(d->design, StudyDesign::kSingleArm);
  EXPECT_EQ(d->origin, TimeOrigin::kEnrolment);
  EXPECT_EQ(d->time_unit, TimeUnit::kMonths);
  EXPECT_EQ(d->groups, Grouping::kNone);
  ASSERT_EQ(d->endpoints.size(), 1U);
  EXPECT_EQ(d->endpoints[0].kind, EndpointKind::kSurvival);
  EXPECT_EQ(d->endpoints[0].events, std::vector<core::OutcomeKind>{core::OutcomeKind::kDeath});
  EXPECT_FALSE(d->endpoints[0].landmark.has_value());
}

TEST(StudyDefinition, EveryKey) {
  auto d = ParseStudyDefinition(R"toml(
[study]
code = "KIM-ABMI"
title = "t"
design = "randomised"
origin = "first-infusion"
time_unit = "weeks"
groups = "courses"

[[endpoints]]
name = "HCC"
kind = "cumulative-incidence"
events = ["hcc"]
competing = ["death"]
censor = ["liver-transplant"]
at = [12, 24.5]
landmark = 13
)toml",
                                "s.toml");
  ASSERT_TRUE(d.has_value()) << d.error().message;
  EXPECT_EQ(d->design, StudyDesign::kRandomised);
  EXPECT_EQ(d->origin, TimeOrigin::kFirstInfusion);
  EXPECT_EQ(d->time_unit, TimeUnit::kWeeks);
  EXPECT_EQ(d->groups, Grouping::kCourses);
  const EndpointDefinition& e = d->endpoints[0];
  EXPECT_EQ(e.kind, EndpointKind::kCumulativeIncidence);
  EXPECT_EQ(e.competing, std::vector<core::OutcomeKind>{core::OutcomeKind::kDeath});
  EXPECT_EQ(e.censor, std::vector<core::OutcomeKind>{core::OutcomeKind::kLiverTransplant});
  EXPECT_EQ(e.at, (std::vector<double>{12, 24.5}));
  EXPECT_EQ(e.landmark, 13.0);
}

TEST(StudyDefinition, ErrorsNameFileLineKeyAndWhatIsAllowed) {
  std::string base(kMinimal);
  EXPECT_EQ(Error(base + "kind = \"surv\"\n"),
            "s.toml:8: endpoints[0].kind = \"surv\": must be one of \"survival\", \"cumulative-incidence\"");
  EXPECT_THAT(Error(base + "colour = 1\n"),
              HasSubstr("s.toml:8: unknown key endpoints[0].colour (allowed: name, kind"));
  EXPECT_EQ(Error(base + "landmark = -5\n"), "s.toml:8: endpoints[0].landmark = -5: must be > 0");
  EXPECT_EQ(Error(base + "at = [24, 12]\n"),
            "s.toml:8: endpoints[0].at = [24, 12]: must be in ascending order without repeats");
  EXPECT_THAT(Error(base + "competing = [\"hcc\"]\n"), HasSubstr("need kind = \"cumulative-incidence\""));
  EXPECT_THAT(Error(base + "censor = [\"death\"]\n"), HasSubstr("cannot also be an event"));
  EXPECT_THAT(Error(base + "events = [\"dead\"]\n"), HasSubstr("s.toml:8:10: Error while parsing key-value pair"));
  EXPECT_THAT(Error("[study]\ncode = \"S\"\n[[endpoints]]\nname = \"x\"\nevents = [\"dead\"]\n"),
              HasSubstr("s.toml:5: endpoints[0].events = [\"dead\"]: unknown outcome \"dead\" (allowed: \"death\""));
  EXPECT_THAT(Error(base + "[[endpoints]]\nname = \"Overall survival\"\nevents = [\"death\"]\n"),
              HasSubstr("s.toml:9: endpoints[1].name = \"Overall survival\": duplicate of endpoints[0]"));
  EXPECT_THAT(Error("[study]\ntitle = \"x\"\n[[endpoints]]\nname = \"x\"\nevents = [\"death\"]\n"),
              HasSubstr("needs code"));
  EXPECT_THAT(Error("[study]\ncode = \"S\"\n"), HasSubstr("no [[endpoints]]"));
  EXPECT_THAT(Error("[study]\ncode = \"S\"\n[[endpoints]]\nname = \"x\"\n"), HasSubstr("needs events"));
  EXPECT_THAT(Error("[study]\ncode = \"S\"\ngroups = \"site\"\n"),
              HasSubstr("s.toml:3: study.groups = \"site\": must be one of \"none\", \"arm\", \"product\", \"route\", "
                        "\"courses\""));
}

TEST(StudyDefinition, BoundsWhatAFileMayHold) {
  // A dotted key 50,000 levels deep made the TOML parser recurse until the
  // stack ran out; it is refused before parsing.
  std::string deep = "[";
  for (int i = 0; i < 50000; ++i) deep += i == 0 ? "a" : ".a";
  deep += "]\n";
  EXPECT_THAT(Error(deep), HasSubstr("s.toml:1: nested more than 32 levels deep"));
  EXPECT_THAT(Error("x = " + std::string(40, '[') + std::string(40, ']') + "\n"), HasSubstr("nested more than"));
  std::string big(std::string(kMinimal) + "# " + std::string(2 << 20, 'x') + "\n");
  EXPECT_THAT(Error(big), HasSubstr("a configuration file may hold at most"));
  std::string long_code = "[study]\ncode = \"" + std::string(1000, 'C') + "\"\n";
  EXPECT_THAT(Error(long_code), HasSubstr("at most 500"));
}

TEST(StudyDefinition, TheExampleStudiesParse) {
  for (const char* name : {"ucmsc-rct", "abmi-cohort", "course-length"}) {
    std::ifstream in(std::string(CIRRUS_EXAMPLES_DIR) + "/studies/" + name + ".toml");
    std::stringstream text;
    text << in.rdbuf();
    ASSERT_FALSE(text.str().empty()) << name;
    auto d = ParseStudyDefinition(text.str(), name);
    EXPECT_TRUE(d.has_value()) << (d ? "" : d.error().message);
  }
}

}  // namespace
}  // namespace cirrus::study
