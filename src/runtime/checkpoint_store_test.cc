#include "runtime/checkpoint_store.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "runtime/files.h"
#include "support/scratch_dir.h"

namespace karrow {
namespace {

// Two tasks: task 0 with state and output files, task 1 with neither. Keys
// and values hold the bytes the state file format has to escape.
CheckpointData Sample(int64_t epoch) {
  CheckpointData c;
  c.epoch = epoch;
  c.parallelism = 2;
  // An empty group, and a format with a space, must round-trip too.
  c.identity = {"orders-job", "orders", "", "odd format", "arrow"};
  TaskCheckpoint t0;
  t0.task_index = 0;
  t0.tables["offsets"] = {{"orders/0", std::to_string(epoch * 100)}, {"orders/1", "7"}};
  t0.tables["odd names"] = {{"a key\nwith %25 and\ta tab", std::string("\x01\xff value", 8)}};
  t0.sink_files = {"0000000001-0000.arrows", "dead-letter/0000000001-0000.arrows"};
  TaskCheckpoint t1;
  t1.task_index = 1;
  c.tasks = {t0, t1};
  return c;
}

void ExpectSame(const CheckpointData& got, const CheckpointData& want) {
  EXPECT_EQ(got.epoch, want.epoch);
  EXPECT_EQ(got.parallelism, want.parallelism);
  EXPECT_EQ(got.identity, want.identity) << got.identity.Describe();
  ASSERT_EQ(got.tasks.size(), want.tasks.size());
  for (size_t i = 0; i < want.tasks.size(); ++i) {
    EXPECT_EQ(got.tasks[i].task_index, want.tasks[i].task_index) << "task " << i;
    EXPECT_EQ(got.tasks[i].tables, want.tasks[i].tables) << "task " << i;
    EXPECT_EQ(got.tasks[i].sink_files, want.tasks[i].sink_files) << "task " << i;
  }
}

class CheckpointStoreTest : public ::testing::Test {
 protected:
  void WriteEpochs(std::initializer_list<int64_t> epochs) {
    for (int64_t e : epochs) ASSERT_TRUE(store_.Write(Sample(e)).ok()) << "epoch " << e;
  }
  // Loads the newest complete checkpoint, which the test expects to exist.
  CheckpointData Latest(std::vector<std::string>* skipped) {
    Result<std::optional<CheckpointData>> c = store_.LoadLatest(skipped);
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    if (!c.ok() || !c->has_value()) {
      ADD_FAILURE() << "no checkpoint loaded";
      return {};
    }
    return **c;
  }
  std::string FileOf(int64_t epoch, const std::string& name) {
    return store_.CheckpointDir(epoch) + "/" + name;
  }
  void Overwrite(const std::string& path, const std::string& data) {
    ASSERT_TRUE(files::WriteDurably(path, data).ok()) << path;
  }
  std::string Read(const std::string& path) {
    Result<std::string> data = files::Read(path);
    EXPECT_TRUE(data.ok()) << data.status().ToString();
    return data.ok() ? *data : "";
  }
  std::vector<std::string> Entries() {
    Result<std::vector<std::string>> names = files::List(dir_.path());
    EXPECT_TRUE(names.ok()) << names.status().ToString();
    return names.ok() ? *names : std::vector<std::string>{};
  }
  // LoadLatest must restore Sample(epoch) and report the newer checkpoints
  // in `skipped` (epoch, why), newest first, each line naming both.
  void ExpectRestores(int64_t epoch,
                      const std::vector<std::pair<int64_t, std::string>>& skipped = {}) {
    std::vector<std::string> lines;
    ExpectSame(Latest(&lines), Sample(epoch));
    ASSERT_EQ(lines.size(), skipped.size());
    for (size_t i = 0; i < lines.size(); ++i) {
      EXPECT_NE(lines[i].find(store_.CheckpointDir(skipped[i].first)), std::string::npos)
          << lines[i];
      EXPECT_NE(lines[i].find(skipped[i].second), std::string::npos) << lines[i];
    }
  }

  ScratchDir dir_;
  CheckpointStore store_{dir_.path()};
};

TEST_F(CheckpointStoreTest, NoneInAnEmptyOrMissingFolder) {
  std::vector<std::string> skipped;
  auto c = store_.LoadLatest(&skipped);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_FALSE(c->has_value());
  CheckpointStore missing(dir_.Join("not-there"));
  c = missing.LoadLatest(&skipped);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_FALSE(c->has_value());
  EXPECT_TRUE(skipped.empty());
}

TEST_F(CheckpointStoreTest, RoundTripsEveryField) {
  ASSERT_TRUE(store_.Write(Sample(1)).ok());
  std::vector<std::string> skipped;
  CheckpointData got = Latest(&skipped);
  ExpectSame(got, Sample(1));
  EXPECT_TRUE(skipped.empty());
  EXPECT_EQ(got.SinkFiles(), Sample(1).SinkFiles());
  EXPECT_EQ(got.MergedTables().at("offsets").at("orders/0"), "100");
}

TEST_F(CheckpointStoreTest, NewestCompleteOneWins) {
  WriteEpochs({1, 2, 3});
  ExpectRestores(3);
}

TEST_F(CheckpointStoreTest, TornCheckpointFallsBackToThePrevious) {
  WriteEpochs({1, 2});
  ASSERT_TRUE(files::RemoveAll(FileOf(2, "_manifest")).ok());
  // A crash right after the folder was made leaves it empty.
  ASSERT_TRUE(files::MakeDirs(store_.CheckpointDir(3)).ok());
  ExpectRestores(1, {{3, "no manifest"}, {2, "no manifest"}});
}

TEST_F(CheckpointStoreTest, DamagedManifestIsSkipped) {
  WriteEpochs({1, 2, 3});
  std::string manifest = Read(FileOf(3, "_manifest"));
  manifest[manifest.find("parallelism 2")] = 'P';  // a flipped byte
  Overwrite(FileOf(3, "_manifest"), manifest);
  Overwrite(FileOf(2, "_manifest"), "{\"not\": \"a manifest\"}\n");
  ExpectRestores(
      1, {{3, "manifest checksum does not match"}, {2, "manifest checksum does not match"}});
}

TEST_F(CheckpointStoreTest, ManifestWithAGoodChecksumButBadContentIsSkipped) {
  WriteEpochs({1, 2});
  // Written by something else, with a checksum that matches its content.
  std::string body = "karrow-checkpoint 2\nepoch 2\nsurprise 1\n";
  char crc[16];
  std::snprintf(crc, sizeof(crc), "%08x", files::Crc32c(body));
  Overwrite(FileOf(2, "_manifest"), body + "checksum " + crc + "\n");
  ExpectRestores(1, {{2, "unknown manifest line 'surprise 1'"}});
}

std::string WithChecksum(const std::string& body) {
  char crc[16];
  std::snprintf(crc, sizeof(crc), "%08x", files::Crc32c(body));
  return body + "checksum " + crc + "\n";
}

// Skipping an older layout's checkpoint would start the job afresh beside
// its published output: that is an error for the user to decide about.
TEST_F(CheckpointStoreTest, CheckpointOfTheOlderLayoutIsRefused) {
  WriteEpochs({1, 2});
  Overwrite(FileOf(2, "_manifest"), WithChecksum("karrow-checkpoint 1\nepoch 2\nparallelism 1\n"
                                                 "state 0 task-0000.state 15 00000000\n"));
  std::vector<std::string> skipped;
  Result<std::optional<CheckpointData>> c = store_.LoadLatest(&skipped);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(c.status().message().find("checkpoint " + store_.CheckpointDir(2) +
                                      " was written by an older karrow"),
            std::string::npos)
      << c.status().message();
  EXPECT_NE(c.status().message().find("new --checkpoint-dir"), std::string::npos);
}

TEST_F(CheckpointStoreTest, TruncatedOrChangedStateFileIsSkipped) {
  WriteEpochs({1, 2, 3});
  std::string state = Read(FileOf(3, "task-0000.state"));
  Overwrite(FileOf(3, "task-0000.state"), state.substr(0, state.size() / 2));
  state = Read(FileOf(2, "task-0000.state"));
  state[state.find("orders/1")] = 'O';  // same size, other content
  Overwrite(FileOf(2, "task-0000.state"), state);
  ExpectRestores(1, {{3, "task-0000.state does not match the manifest"},
                     {2, "task-0000.state does not match the manifest"}});
}

TEST_F(CheckpointStoreTest, MissingStateFileIsSkipped) {
  WriteEpochs({1, 2});
  ASSERT_TRUE(files::RemoveAll(FileOf(2, "task-0001.state")).ok());
  ExpectRestores(1, {{2, "task-0001.state"}});
}

TEST_F(CheckpointStoreTest, RewritingATornEpochStartsAfresh) {
  WriteEpochs({1});
  ASSERT_TRUE(files::MakeDirs(store_.CheckpointDir(2)).ok());
  Overwrite(FileOf(2, "task-0007.state"), "left over from a crash");
  WriteEpochs({2});
  ExpectRestores(2);
  EXPECT_FALSE(files::Exists(FileOf(2, "task-0007.state")));
}

TEST_F(CheckpointStoreTest, DiscardAfterRemovesNewerCheckpoints) {
  WriteEpochs({1, 2, 3});
  ASSERT_TRUE(files::RemoveAll(FileOf(3, "_manifest")).ok());
  ASSERT_TRUE(store_.DiscardAfter(1).ok());
  EXPECT_TRUE(files::Exists(store_.CheckpointDir(1)));
  EXPECT_FALSE(files::Exists(store_.CheckpointDir(2)));
  EXPECT_FALSE(files::Exists(store_.CheckpointDir(3)));
  // Their epochs can be taken again.
  WriteEpochs({2});
  ExpectRestores(2);
  // Nothing to discard, and no folder at all, are fine.
  EXPECT_TRUE(store_.DiscardAfter(5).ok());
  EXPECT_TRUE(CheckpointStore(dir_.Join("not-there")).DiscardAfter(0).ok());
}

TEST_F(CheckpointStoreTest, PruneKeepsTheNewest) {
  WriteEpochs({1, 2, 3, 4});
  Overwrite(dir_.Join("notes.txt"), "not a checkpoint");
  ASSERT_TRUE(store_.Prune(2).ok());
  EXPECT_EQ(Entries(), (std::vector<std::string>{"chk-0000000003", "chk-0000000004", "notes.txt"}));
  ASSERT_TRUE(store_.Prune(5).ok());
  EXPECT_EQ(Entries().size(), 3u);
}

}  // namespace
}  // namespace karrow
