#include "runtime/file_sink.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "arrow/builder.h"
#include "output/ipc_stream_writer.h"
#include "runtime/files.h"
#include "support/expect_error.h"
#include "support/scratch_dir.h"

namespace karrow {
namespace {

using Names = std::vector<std::string>;

SchemaPtr NumberSchema() {
  static const SchemaPtr schema =
      std::make_shared<Schema>(std::vector<Field>{{"n", int64(), false}});
  return schema;
}

RecordBatch Numbers(std::initializer_list<int64_t> values) {
  RecordBatchBuilder rb(NumberSchema());
  for (int64_t v : values) rb.column_as<Int64Builder>(0)->Append(v);
  Result<RecordBatch> batch = rb.Finish();
  EXPECT_TRUE(batch.ok()) << batch.status().ToString();
  return *batch;
}

// Runs for both formats: the staging and publishing contract is the same.
class FileSinkTest : public ::testing::TestWithParam<SinkFormat> {
 protected:
  // The runtime recovers before it writes: that makes the staging folder.
  void SetUp() override {
    Names notes;
    ASSERT_TRUE(sink_.Recover(0, {}, {}, &notes).ok());
  }
  // The file name the sink gives (epoch, task), as in the header's layout.
  std::string Name(int64_t epoch, int32_t task, const std::string& subfolder = "",
                   const std::string& prefix = "job@orders@") const {
    char buf[64];
    std::snprintf(buf, sizeof(buf), "%010lld-%04d.%s", static_cast<long long>(epoch), task,
                  GetParam() == SinkFormat::kArrowIpc ? "arrows" : "ndjson");
    return (subfolder.empty() ? "" : subfolder + "/") + prefix + buf;
  }
  // Stages two rows of `epoch` for `task`; returns the names Seal gave.
  Names Stage(int64_t epoch, int32_t task, const std::string& subfolder = "",
              FileSink* sink = nullptr) {
    std::unique_ptr<SinkWriter> writer = (sink ? sink : &sink_)->NewWriter(task, subfolder);
    Status st = writer->Write(Numbers({epoch, epoch}), epoch);
    EXPECT_TRUE(st.ok()) << st.ToString();
    Result<Names> sealed = writer->Seal(epoch);
    EXPECT_TRUE(sealed.ok()) << sealed.status().ToString();
    return sealed.ok() ? *sealed : Names{};
  }
  Names StageAndPublish(int64_t epoch, int32_t task, const std::string& subfolder = "",
                        FileSink* sink = nullptr) {
    Names names = Stage(epoch, task, subfolder, sink);
    Status st = (sink ? sink : &sink_)->Publish(names);
    EXPECT_TRUE(st.ok()) << st.ToString();
    return names;
  }
  bool Published(const std::string& name) const { return files::Exists(dir_.Join(name)); }
  bool Staged(const std::string& name) const {
    return files::Exists(sink_.staging_dir() + "/" + name);
  }
  bool Retracted(const std::string& name) const {
    return files::Exists(dir_.Join(".retracted/" + name));
  }
  std::string Read(const std::string& path) const {
    Result<std::string> data = files::Read(path);
    EXPECT_TRUE(data.ok()) << data.status().ToString();
    return data.ok() ? *data : "";
  }

  ScratchDir dir_;
  FileSink sink_{dir_.path(), GetParam(), "job@orders@", {kDeadLetterFolder}};
  // Another job's sink in the same folder.
  FileSink other_{dir_.path(), GetParam(), "other@orders@", {kDeadLetterFolder}};
};

TEST_P(FileSinkTest, StagesOneFilePerEpochAndPublishesItWhenAsked) {
  std::unique_ptr<SinkWriter> writer = sink_.NewWriter(3);
  ASSERT_TRUE(writer->Write(Numbers({1, 2}), 5).ok());
  ASSERT_TRUE(writer->Write(Numbers({}), 5).ok());  // no rows: nothing to write
  ASSERT_TRUE(writer->Write(Numbers({3}), 5).ok());
  Result<Names> sealed = writer->Seal(5);
  ASSERT_TRUE(sealed.ok()) << sealed.status().ToString();
  ASSERT_EQ(*sealed, Names{Name(5, 3)});
  EXPECT_TRUE(Staged(Name(5, 3)));
  EXPECT_FALSE(Published(Name(5, 3))) << "published only once its checkpoint is complete";

  std::string want;
  if (GetParam() == SinkFormat::kArrowIpc) {
    // One stream: the schema once, both batches, the end marker.
    IpcStreamWriter stream(NumberSchema(), &want);
    ASSERT_TRUE(stream.Write(Numbers({1, 2})).ok());
    ASSERT_TRUE(stream.Write(Numbers({3})).ok());
    ASSERT_TRUE(stream.Finish().ok());
  } else {
    want = "{\"n\":1}\n{\"n\":2}\n{\"n\":3}\n";
  }
  EXPECT_EQ(Read(sink_.staging_dir() + "/" + Name(5, 3)), want);

  ASSERT_TRUE(sink_.Publish(*sealed).ok());
  EXPECT_FALSE(Staged(Name(5, 3)));
  EXPECT_EQ(Read(dir_.Join(Name(5, 3))), want);

  // An epoch without rows stages nothing.
  Result<Names> empty = writer->Seal(6);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
  ASSERT_TRUE(writer->Write(Numbers({}), 7).ok());
  empty = writer->Seal(7);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
  EXPECT_FALSE(Staged(Name(7, 3)));
}

TEST_P(FileSinkTest, OneEpochAtATime) {
  std::unique_ptr<SinkWriter> writer = sink_.NewWriter(0);
  ASSERT_TRUE(writer->Write(Numbers({1}), 1).ok());
  Status st = writer->Write(Numbers({2}), 2);
  EXPECT_EQ(st.code(), StatusCode::kInternal);
  EXPECT_NE(st.message().find("rows of epoch 2 before epoch 1 was sealed"), std::string::npos)
      << st.message();
  st = writer->Seal(2).status();
  EXPECT_EQ(st.code(), StatusCode::kInternal);
  EXPECT_NE(st.message().find("sealing epoch 2 while epoch 1 is open"), std::string::npos)
      << st.message();
  EXPECT_TRUE(writer->Seal(1).ok());
}

TEST_P(FileSinkTest, SubfolderFilesAreNamedWithTheirFolder) {
  Names names = StageAndPublish(2, 1, kDeadLetterFolder);
  ASSERT_EQ(names, Names{Name(2, 1, kDeadLetterFolder)});
  EXPECT_TRUE(Published(Name(2, 1, kDeadLetterFolder)));
  EXPECT_FALSE(Staged(Name(2, 1, kDeadLetterFolder)));
}

TEST_P(FileSinkTest, RepublishingIsFine) {
  Names names = StageAndPublish(1, 0);
  Names dead = StageAndPublish(1, 0, kDeadLetterFolder);
  names.insert(names.end(), dead.begin(), dead.end());
  // As after a crash between publishing and recording it.
  ASSERT_TRUE(sink_.Publish(names).ok());
  EXPECT_TRUE(Published(Name(1, 0)));
  EXPECT_TRUE(Published(Name(1, 0, kDeadLetterFolder)));
}

TEST_P(FileSinkTest, PublishingAFileThatIsNeitherStagedNorPublishedFails) {
  Names names = Stage(1, 0);
  names.push_back(Name(1, 9));
  Status st = sink_.Publish(names);
  EXPECT_EQ(st.code(), StatusCode::kIoError);
  EXPECT_NE(st.message().find("cannot publish '" + Name(1, 9) + "'"), std::string::npos)
      << st.message();
  EXPECT_NE(st.message().find("neither staged nor published"), std::string::npos) << st.message();
  EXPECT_TRUE(Published(Name(1, 0))) << "the files before it are published";
}

// The folder after a crash: epoch 1 published; epoch 2's checkpoint complete
// but its files still staged; epoch 3 staged, its checkpoint unfinished;
// epoch 4 published under a checkpoint that was later damaged.
TEST_P(FileSinkTest, RecoverBringsTheFolderInLineWithTheCheckpoint) {
  StageAndPublish(1, 0);
  Names completed = Stage(2, 0);
  Names dead = Stage(2, 1, kDeadLetterFolder);
  completed.insert(completed.end(), dead.begin(), dead.end());
  Stage(3, 0);
  Stage(3, 1, kDeadLetterFolder);
  StageAndPublish(4, 0);
  StageAndPublish(4, 1, kDeadLetterFolder);

  // Epoch 4's published files are covered by no checkpoint: without being
  // told what to do with them, Recover refuses and changes nothing.
  Names notes;
  Result<int64_t> refused = sink_.Recover(2, completed, {}, &notes);
  ExpectError(
      refused.status(), StatusCode::kInvalidArgument,
      {dir_.path() + " holds 2 published files of this job that no checkpoint covers",
       Name(4, 1, kDeadLetterFolder), "epochs up to 4", "the checkpoint restored from is epoch 2",
       "--on-orphan-output=retract", "--on-orphan-output=keep"});
  EXPECT_TRUE(notes.empty());
  EXPECT_TRUE(Staged(Name(2, 0)));
  EXPECT_TRUE(Staged(Name(3, 0)));
  EXPECT_TRUE(Published(Name(4, 0)));
  EXPECT_TRUE(Published(Name(4, 1, kDeadLetterFolder)));

  Result<int64_t> after = sink_.Recover(2, completed, {OrphanOutput::kRetract, false}, &notes);
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  EXPECT_EQ(*after, 2);
  EXPECT_TRUE(Published(Name(1, 0)));
  EXPECT_TRUE(Published(Name(2, 0)));
  EXPECT_TRUE(Published(Name(2, 1, kDeadLetterFolder)));
  EXPECT_FALSE(Staged(Name(3, 0)));
  EXPECT_FALSE(Published(Name(3, 0)));
  EXPECT_FALSE(Staged(Name(3, 1, kDeadLetterFolder)));
  EXPECT_FALSE(Published(Name(4, 0)));
  EXPECT_FALSE(Published(Name(4, 1, kDeadLetterFolder)));
  EXPECT_TRUE(Retracted(Name(4, 0)));
  EXPECT_TRUE(Retracted(Name(4, 1, kDeadLetterFolder)));
  const std::string retracted =
      " to .retracted/: no checkpoint covers it, its records will be read again "
      "(on_orphan_output=retract)";
  EXPECT_EQ(notes, (Names{
                       "discarded staged file " + Name(3, 0) + " of an unfinished checkpoint",
                       "discarded staged file " + Name(3, 1, kDeadLetterFolder) +
                           " of an unfinished checkpoint",
                       "retracted published file " + Name(4, 0) + retracted,
                       "retracted published file " + Name(4, 1, kDeadLetterFolder) + retracted,
                   }));

  // A second recovery (a crash during the first) finds nothing left to do.
  notes.clear();
  ASSERT_TRUE(sink_.Recover(2, completed, {}, &notes).ok());
  EXPECT_TRUE(notes.empty()) << notes[0];
  EXPECT_TRUE(Published(Name(2, 0)));
}

// The checkpoint folder is empty (or gone) while the job's output is there.
TEST_P(FileSinkTest, OutputWithoutACheckpointIsRefusedUnlessTold) {
  Stage(1, 0);
  StageAndPublish(1, 1);
  StageAndPublish(3, 0, kDeadLetterFolder);
  Names notes;
  ExpectError(sink_.Recover(0, {}, {}, &notes).status(), StatusCode::kInvalidArgument,
              {"holds 2 published files of this job that no checkpoint covers",
               "the checkpoint directory holds no complete checkpoint"});
  EXPECT_TRUE(Staged(Name(1, 0)));
  EXPECT_TRUE(Published(Name(1, 1)));

  // keep: the files stay, and new epochs start after the newest of them, so
  // that no published name is ever reused.
  Result<int64_t> kept = sink_.Recover(0, {}, {OrphanOutput::kKeep, false}, &notes);
  ASSERT_TRUE(kept.ok()) << kept.status().ToString();
  EXPECT_EQ(*kept, 3);
  EXPECT_FALSE(Staged(Name(1, 0)));
  EXPECT_TRUE(Published(Name(1, 1)));
  EXPECT_TRUE(Published(Name(3, 0, kDeadLetterFolder)));
  EXPECT_EQ(notes.size(), 3u);
  EXPECT_NE(notes[1].find("kept published file " + Name(1, 1)), std::string::npos) << notes[1];

  // retract: moved away; an earlier retraction of the same name is kept.
  ASSERT_TRUE(files::MakeDirs(dir_.Join(".retracted")).ok());
  ASSERT_TRUE(files::WriteDurably(dir_.Join(".retracted/" + Name(1, 1)), "earlier").ok());
  Result<int64_t> retracted = sink_.Recover(0, {}, {OrphanOutput::kRetract, false}, &notes);
  ASSERT_TRUE(retracted.ok()) << retracted.status().ToString();
  EXPECT_EQ(*retracted, 0);
  EXPECT_FALSE(Published(Name(1, 1)));
  EXPECT_EQ(Read(dir_.Join(".retracted/" + Name(1, 1))), "earlier");
  EXPECT_TRUE(Retracted(Name(1, 1) + ".1"));
  EXPECT_TRUE(Retracted(Name(3, 0, kDeadLetterFolder)));
}

// Two jobs in one folder: recovering one never touches the other's files,
// staged or published, whatever their epochs.
TEST_P(FileSinkTest, AnotherJobsFilesAreNeverTouched) {
  StageAndPublish(5, 0, "", &other_);
  StageAndPublish(5, 0, kDeadLetterFolder, &other_);
  Stage(6, 1, "", &other_);
  Names notes;
  for (OrphanOutput orphans : {OrphanOutput::kFail, OrphanOutput::kRetract}) {
    Result<int64_t> r = sink_.Recover(0, {}, {orphans, false}, &notes);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(*r, 0);
  }
  EXPECT_TRUE(notes.empty()) << notes[0];
  EXPECT_TRUE(Published(Name(5, 0, "", "other@orders@")));
  EXPECT_TRUE(Published(Name(5, 0, kDeadLetterFolder, "other@orders@")));
  EXPECT_TRUE(Staged(Name(6, 1, "", "other@orders@")));
}

TEST_P(FileSinkTest, RecoverOfAFreshFolderMakesTheStagingFolder) {
  FileSink fresh(dir_.Join("fresh"), GetParam(), "job@orders@", {kDeadLetterFolder});
  Names notes;
  ASSERT_TRUE(fresh.Recover(0, {}, {}, &notes).ok());
  EXPECT_TRUE(files::Exists(fresh.staging_dir()));
  EXPECT_TRUE(notes.empty());
}

// A downstream process moved a published file away: say which file of which
// checkpoint, and go on when told to.
TEST_P(FileSinkTest, PublishedFileThatIsGoneIsRefusedUnlessAllowed) {
  Names completed = StageAndPublish(1, 0);
  Names staged = Stage(1, 1);
  completed.insert(completed.end(), staged.begin(), staged.end());
  ASSERT_EQ(completed.size(), 2u);
  ASSERT_TRUE(files::RemoveAll(dir_.Join(completed[0])).ok());
  Names notes;
  ExpectError(sink_.Recover(1, completed, {}, &notes).status(), StatusCode::kNotFound,
              {"published file " + completed[0] + " of checkpoint 1 is gone from " + dir_.path(),
               "--allow-missing-output"});
  EXPECT_TRUE(Staged(completed[1])) << "nothing changed";
  Result<int64_t> r = sink_.Recover(1, completed, {OrphanOutput::kFail, true}, &notes);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(Published(completed[1]));
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_NE(notes[0].find("going on without it"), std::string::npos) << notes[0];
  // The next recovery of the same checkpoint needs the option again: the
  // checkpoint still lists the file.
  EXPECT_FALSE(sink_.Recover(1, completed, {}, &notes).ok());
}

TEST_P(FileSinkTest, PublishNeverReplacesAPublishedFile) {
  Names first = StageAndPublish(1, 0);
  Names second = Stage(1, 0);
  ASSERT_EQ(first, second);
  Status st = sink_.Publish(second);
  EXPECT_EQ(st.code(), StatusCode::kInternal) << st.ToString();
  EXPECT_TRUE(Staged(second[0]));
}

TEST_P(FileSinkTest, FileEpochKnowsOnlyItsOwnFiles) {
  EXPECT_EQ(sink_.FileEpoch(Name(12, 3)), 12);
  EXPECT_EQ(sink_.FileEpoch(Name(12, 3, "", "other@orders@")), -1);
  EXPECT_EQ(sink_.FileEpoch(Name(12, 3, "", "job@orders-eu@")), -1);
  EXPECT_EQ(sink_.FileEpoch("job@orders@0000000012-0003.arrows" +
                            std::string(GetParam() == SinkFormat::kArrowIpc ? "x" : "")),
            -1);
  EXPECT_EQ(sink_.FileEpoch("0000000012-0003.arrows"), -1) << "the older layout's names";
  EXPECT_EQ(sink_.FileEpoch("dead-letter"), -1);
  EXPECT_EQ(sink_.FileEpoch(".staging"), -1);
  EXPECT_EQ(sink_.FileEpoch("job@orders@0000000012-0003"), -1);
  EXPECT_EQ(sink_.FileEpoch("job@orders@00000000x2-0003.arrows"), -1);
}

INSTANTIATE_TEST_SUITE_P(Formats, FileSinkTest,
                         ::testing::Values(SinkFormat::kArrowIpc, SinkFormat::kNdjson),
                         [](const ::testing::TestParamInfo<SinkFormat>& info) {
                           return info.param == SinkFormat::kArrowIpc ? "Arrow" : "Ndjson";
                         });

TEST(FileNamePrefix, NamesJobAndTopic) {
  EXPECT_EQ(FileNamePrefix("billing", "orders"), "billing@orders@");
}

}  // namespace
}  // namespace karrow
