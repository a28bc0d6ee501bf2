#include "karrow/metrics.h"

#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <string>

namespace karrow {
namespace {

TEST(Metrics, CatalogNamesFollowPrometheusConventions) {
  std::set<std::string> names;
  const std::regex name("karrow_[a-z_]+");
  for (const MetricDef* def : MetricCatalog()) {
    const std::string n = def->name;
    EXPECT_TRUE(names.insert(n).second) << n << " is listed twice";
    EXPECT_TRUE(std::regex_match(n, name)) << n;
    const bool total = n.size() > 6 && n.compare(n.size() - 6, 6, "_total") == 0;
    EXPECT_EQ(def->type == MetricType::kCounter, total)
        << n << ": counters, and only they, end in _total";
    EXPECT_NE(std::string(def->help), "") << n;
  }
}

TEST(Metrics, TextGroupsEachMetricUnderOneHelpAndType) {
  MetricLabels task0{"orders", "0", "job"};
  MetricLabels task1{"orders", "1", "job"};
  MetricLabels job{"", "", "nightly"};
  std::string text;
  AppendPrometheusText(
      {{task0,
        {{&metric::kRecordsRead, "", "", 12},
         {&metric::kPartitionLag, "3", "", 40},
         {&metric::kBadRecords, "", bad_record_reason::kDecodeError, 2}}},
       {task1,
        {{&metric::kRecordsRead, "", "", 5}, {&metric::kRateLimitWaitSeconds, "", "", 0.25}}},
       {job, {{&metric::kCheckpointsCompleted, "", "", 7}}}},
      &text);
  EXPECT_EQ(text,
            "# HELP karrow_records_read_total Kafka records read, tombstones and bad records "
            "included\n"
            "# TYPE karrow_records_read_total counter\n"
            "karrow_records_read_total{topic=\"orders\",task=\"0\"} 12\n"
            "karrow_records_read_total{topic=\"orders\",task=\"1\"} 5\n"
            "# HELP karrow_bad_records_total Records (or framed lines) dropped as bad data, by "
            "reason\n"
            "# TYPE karrow_bad_records_total counter\n"
            "karrow_bad_records_total{topic=\"orders\",task=\"0\",reason=\"decode_error\"} 2\n"
            "# HELP karrow_rate_limit_wait_seconds_total Time slept to keep to "
            "messages_per_second\n"
            "# TYPE karrow_rate_limit_wait_seconds_total counter\n"
            "karrow_rate_limit_wait_seconds_total{topic=\"orders\",task=\"1\"} 0.25\n"
            "# HELP karrow_partition_lag_records Records between the next offset to read and the "
            "partition's end (high watermark, or last stable offset under read_committed)\n"
            "# TYPE karrow_partition_lag_records gauge\n"
            "karrow_partition_lag_records{topic=\"orders\",partition=\"3\"} 40\n"
            "# HELP karrow_checkpoints_completed_total Checkpoints completed (written and "
            "published)\n"
            "# TYPE karrow_checkpoints_completed_total counter\n"
            "karrow_checkpoints_completed_total{job=\"nightly\"} 7\n");
}

TEST(Metrics, LabelValuesAreEscaped) {
  std::string text;
  AppendPrometheusText({{{"a\"b\\c\nd", "0", ""}, {{&metric::kRowsEmitted, "", "", 1}}}}, &text);
  EXPECT_NE(text.find("karrow_rows_emitted_total{topic=\"a\\\"b\\\\c\\nd\",task=\"0\"} 1\n"),
            std::string::npos)
      << text;
}

}  // namespace
}  // namespace karrow
