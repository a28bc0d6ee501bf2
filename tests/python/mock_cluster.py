"""librdkafka's in-process mock cluster, for fault injection only (brokers
going down, leaders moving, failing or slow requests): things a single real
broker cannot be made to do on cue. The cluster lives in this Python process
(the system librdkafka, through ctypes) and listens on loopback, so a
`karrow run` in another process and a confluent-kafka producer talk to it
like to any Kafka cluster."""

from __future__ import annotations

import ctypes
import ctypes.util

# Kafka protocol request types (ApiKey).
FETCH = 1
METADATA = 3
OFFSET_COMMIT = 8

# Error codes (rdkafka.h).
ERR_TRANSPORT = -195  # the mock broker drops the connection
ERR_NOT_LEADER_OR_FOLLOWER = 6
ERR_REQUEST_TIMED_OUT = 7
ERR_OFFSET_METADATA_TOO_LARGE = 12
ERR_COORDINATOR_NOT_AVAILABLE = 15
ERR_UNKNOWN_TOPIC_OR_PART = 3
ERR_TOPIC_AUTHORIZATION_FAILED = 29

_RD_KAFKA_PRODUCER = 0


def _library() -> ctypes.CDLL:
    lib = ctypes.CDLL(ctypes.util.find_library("rdkafka") or "librdkafka.so.1")
    lib.rd_kafka_conf_new.restype = ctypes.c_void_p
    lib.rd_kafka_conf_set.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p,
                                      ctypes.c_size_t]
    lib.rd_kafka_new.restype = ctypes.c_void_p
    lib.rd_kafka_new.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t]
    lib.rd_kafka_destroy.argtypes = [ctypes.c_void_p]
    lib.rd_kafka_handle_mock_cluster.restype = ctypes.c_void_p
    lib.rd_kafka_handle_mock_cluster.argtypes = [ctypes.c_void_p]
    lib.rd_kafka_mock_cluster_bootstraps.restype = ctypes.c_char_p
    lib.rd_kafka_mock_cluster_bootstraps.argtypes = [ctypes.c_void_p]
    lib.rd_kafka_mock_topic_create.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int, ctypes.c_int]
    lib.rd_kafka_mock_partition_set_leader.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int32,
                                                       ctypes.c_int32]
    lib.rd_kafka_mock_broker_set_down.argtypes = [ctypes.c_void_p, ctypes.c_int32]
    lib.rd_kafka_mock_broker_set_up.argtypes = [ctypes.c_void_p, ctypes.c_int32]
    lib.rd_kafka_mock_push_request_errors_array.argtypes = [ctypes.c_void_p, ctypes.c_int16, ctypes.c_size_t,
                                                            ctypes.POINTER(ctypes.c_int)]
    lib.rd_kafka_mock_clear_request_errors.argtypes = [ctypes.c_void_p, ctypes.c_int16]
    lib.rd_kafka_mock_topic_set_error.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
    lib.rd_kafka_mock_broker_set_rtt.argtypes = [ctypes.c_void_p, ctypes.c_int32, ctypes.c_int]
    lib.rd_kafka_err2name.restype = ctypes.c_char_p
    return lib


class MockCluster:
    """A mock Kafka cluster of `brokers` brokers (ids 1..brokers)."""

    def __init__(self, brokers: int = 3):
        self._lib = _library()
        conf = self._lib.rd_kafka_conf_new()
        err = ctypes.create_string_buffer(512)
        if self._lib.rd_kafka_conf_set(conf, b"test.mock.num.brokers", str(brokers).encode(), err, len(err)) != 0:
            raise RuntimeError(err.value.decode())
        # The cluster belongs to this (otherwise unused) client handle.
        self._rk = self._lib.rd_kafka_new(_RD_KAFKA_PRODUCER, conf, err, len(err))
        if not self._rk:
            raise RuntimeError(f"cannot start the mock cluster: {err.value.decode()}")
        self._cluster = self._lib.rd_kafka_handle_mock_cluster(self._rk)
        self.bootstrap = self._lib.rd_kafka_mock_cluster_bootstraps(self._cluster).decode()
        self.brokers = brokers

    def _check(self, what: str, err: int) -> None:
        if err != 0:
            raise RuntimeError(f"mock cluster: {what}: {self._lib.rd_kafka_err2name(err).decode()}")

    def create_topic(self, topic: str, partitions: int) -> str:
        self._check("create topic", self._lib.rd_kafka_mock_topic_create(self._cluster, topic.encode(), partitions, 1))
        return topic

    def set_leader(self, topic: str, partition: int, broker: int) -> None:
        self._check("set leader",
                    self._lib.rd_kafka_mock_partition_set_leader(self._cluster, topic.encode(), partition, broker))

    def broker_down(self, broker: int) -> None:
        self._check("broker down", self._lib.rd_kafka_mock_broker_set_down(self._cluster, broker))

    def broker_up(self, broker: int) -> None:
        self._check("broker up", self._lib.rd_kafka_mock_broker_set_up(self._cluster, broker))

    def set_rtt(self, broker: int, rtt_ms: int) -> None:
        """Delays every response of `broker` by rtt_ms."""
        self._check("set rtt", self._lib.rd_kafka_mock_broker_set_rtt(self._cluster, broker, rtt_ms))

    def fail_requests(self, api_key: int, errors: list[int]) -> None:
        """The next len(errors) requests of type api_key, to any broker, get
        these errors in turn (ERR_TRANSPORT: the connection is dropped)."""
        array = (ctypes.c_int * len(errors))(*errors)
        self._lib.rd_kafka_mock_push_request_errors_array(self._cluster, api_key, len(errors), array)

    def set_topic_error(self, topic: str, error: int) -> None:
        """Metadata answers give `topic` this error from now on (0: none).
        librdkafka 2.0.2's mock ignores fail_requests() for Metadata."""
        self._lib.rd_kafka_mock_topic_set_error(self._cluster, topic.encode(), error)

    def close(self) -> None:
        if self._rk:
            self._lib.rd_kafka_destroy(self._rk)
            self._rk = None
