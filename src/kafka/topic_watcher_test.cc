// What a metadata answer says of the topic, and how consumer errors about
// the topic and access are classified (docs/semantics.md §6, §17), without
// a broker.
#include "kafka/topic_watcher.h"

#include <gtest/gtest.h>

#include "kafka/consumer.h"

namespace karrow {
namespace {

using State = TopicObservation::State;

TopicObservation Answer(rd_kafka_resp_err_t topic_error, int partitions) {
  rd_kafka_metadata_topic_t topic{};
  topic.topic = const_cast<char*>("t");
  topic.partition_cnt = partitions;
  topic.err = topic_error;
  rd_kafka_metadata_t metadata{};
  metadata.topic_cnt = 1;
  metadata.topics = &topic;
  return ObserveTopic(RD_KAFKA_RESP_ERR_NO_ERROR, &metadata, std::chrono::steady_clock::now());
}

TEST(TopicWatcher, Semantics6_ObserveTopicClassifiesTheAnswer) {
  TopicObservation present = Answer(RD_KAFKA_RESP_ERR_NO_ERROR, 6);
  EXPECT_EQ(present.state, State::kPresent);
  EXPECT_EQ(present.partitions, 6);
  EXPECT_EQ(Answer(RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART, 0).state, State::kMissing);
  EXPECT_EQ(Answer(RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC, 0).state, State::kMissing);
  // Listed without partitions: being deleted.
  EXPECT_EQ(Answer(RD_KAFKA_RESP_ERR_NO_ERROR, 0).state, State::kMissing);
  EXPECT_EQ(Answer(RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED, 0).state, State::kUnauthorized);
  // Says nothing of whether the topic exists.
  EXPECT_EQ(Answer(RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE, 0).state, State::kNoAnswer);
  EXPECT_EQ(ObserveTopic(RD_KAFKA_RESP_ERR__TIMED_OUT, nullptr, {}).state, State::kNoAnswer);
  EXPECT_EQ(ObserveTopic(RD_KAFKA_RESP_ERR__TRANSPORT, nullptr, {}).state, State::kNoAnswer);
}

// An unknown topic or partition may be a moment of metadata propagation:
// not fatal at once (the topic watcher's bound decides); access failures are.
TEST(TopicWatcher, Semantics6_MissingTopicIsNotFatalAtOnceButAccessFailuresAre) {
  for (auto err : {RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART, RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC,
                   RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION}) {
    EXPECT_FALSE(IsFatalConsumerError(err)) << rd_kafka_err2name(err);
    EXPECT_TRUE(IsMissingTopicError(err)) << rd_kafka_err2name(err);
  }
  for (auto err :
       {RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED, RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED,
        RD_KAFKA_RESP_ERR_SASL_AUTHENTICATION_FAILED, RD_KAFKA_RESP_ERR__AUTHENTICATION}) {
    EXPECT_TRUE(IsFatalConsumerError(err)) << rd_kafka_err2name(err);
  }
  EXPECT_FALSE(IsFatalConsumerError(RD_KAFKA_RESP_ERR__TRANSPORT));
  EXPECT_FALSE(IsFatalConsumerError(RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION));

  std::string topic =
      DescribeAccessError(RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED, "orders", "g", "denied");
  EXPECT_EQ(topic.rfind("not authorized to read topic 'orders'", 0), 0u) << topic;
  std::string group =
      DescribeAccessError(RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED, "orders", "g", "denied");
  EXPECT_EQ(group.rfind("not authorized to use consumer group 'g'", 0), 0u) << group;
  std::string sasl = DescribeAccessError(RD_KAFKA_RESP_ERR__AUTHENTICATION, "orders", "g",
                                         "SASL PLAIN mechanism handshake failed");
  EXPECT_EQ(sasl.rfind("SASL authentication failed: SASL PLAIN mechanism handshake failed", 0), 0u)
      << sasl;
  EXPECT_EQ(DescribeAccessError(RD_KAFKA_RESP_ERR__TRANSPORT, "orders", "g", "down"), "");
  // A refused client certificate (TLS 1.3: an alert after the handshake)
  // and a broker certificate the client cannot verify are logins refused.
  std::string refused = DescribeAccessError(
      RD_KAFKA_RESP_ERR__TRANSPORT, "orders", "g",
      "Receive failed: error:0A000412:SSL routines::ssl/tls alert bad certificate");
  EXPECT_EQ(refused.rfind("TLS authentication failed: Receive failed: ", 0), 0u) << refused;
  std::string unverified = DescribeAccessError(
      RD_KAFKA_RESP_ERR__SSL, "orders", "g",
      "SSL handshake failed: error:0A000086:SSL routines::certificate verify failed");
  EXPECT_EQ(unverified.rfind("TLS authentication failed: SSL handshake failed", 0), 0u)
      << unverified;
  std::string unknown_ca = DescribeAccessError(
      RD_KAFKA_RESP_ERR__SSL, "orders", "g",
      "SSL handshake failed: error:0A000418:SSL routines::tlsv1 alert unknown ca");
  EXPECT_EQ(unknown_ca.rfind("TLS authentication failed: ", 0), 0u) << unknown_ca;
  // A broker going away mid-connection is not a refused login: retried.
  EXPECT_EQ(DescribeAccessError(
                RD_KAFKA_RESP_ERR__TRANSPORT, "orders", "g",
                "Receive failed: error:0A000126:SSL routines::unexpected eof while reading"),
            "");
  EXPECT_EQ(DescribeAccessError(RD_KAFKA_RESP_ERR__SSL, "orders", "g",
                                "SSL handshake failed: Disconnected"),
            "");
}

}  // namespace
}  // namespace karrow
