/* karrow's C API: open a Kafka topic as an Arrow C stream. For bindings
 * (the Python package uses it through ctypes) and for C programs. */
#ifndef KARROW_KARROW_H_
#define KARROW_KARROW_H_

#include <stddef.h>
#include <stdint.h>

#include "karrow/arrow_c_abi.h"
#include "karrow/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The library's version, e.g. "0.1.0". Static storage; do not free. */
KARROW_EXPORT const char* karrow_version(void);

/* The dead letters of an open stream: the records it dropped as bad data
 * (properties bad_data=drop and dead_letter=true), each with its raw bytes,
 * coordinates and the reason. Opaque. */
typedef struct karrow_dead_letters karrow_dead_letters;

/* Opens task `task_index` of `parallelism` of a Kafka source configured by
 * `count` string properties (keys as in KafkaSourceConfig::FromProperties:
 * topic, bootstrap_servers, format, metadata_fields, client_configs.<name>,
 * ...) and moves it into `*out` as an ArrowArrayStream.
 *
 * With dead_letter=true, `dead_letters` must not be NULL, and on success
 * `*dead_letters` is a new handle the caller owns (free it with
 * karrow_dead_letters_free); otherwise, when `dead_letters` is not NULL,
 * `*dead_letters` is set to NULL.
 *
 * Returns 0 on success: the caller owns `*out` and must call out->release,
 * which closes the consumer. On failure returns EINVAL (bad configuration),
 * ENOENT (topic not found), ETIMEDOUT (cluster did not answer) or EIO, writes
 * a NUL-terminated message of at most `error_size` bytes to `error` (when not
 * NULL) and leaves `*out` and `*dead_letters` untouched. The key and value
 * strings are copied. */
KARROW_EXPORT int karrow_kafka_stream_open(const char* const* keys, const char* const* values,
                                           size_t count, int32_t task_index, int32_t parallelism,
                                           struct ArrowArrayStream* out,
                                           karrow_dead_letters** dead_letters, char* error,
                                           size_t error_size);

/* Moves the dead letters not taken before into `*out`, as an
 * ArrowArrayStream of zero or more batches with the dead-letter schema (see
 * the README): those of the records read so far, which include every bad
 * record before the last batch the stream returned (and all of them once it
 * ended). Safe from any thread, also while the stream is being read, and
 * after it was released.
 *
 * Returns 0 on success: the caller owns `*out` and must call out->release.
 * On failure returns EINVAL (a NULL argument) or EIO, writes a message to
 * `error` as karrow_kafka_stream_open does, and leaves `*out` untouched. */
KARROW_EXPORT int karrow_dead_letters_take(karrow_dead_letters* dead_letters,
                                           struct ArrowArrayStream* out, char* error,
                                           size_t error_size);

/* The metrics of a stream from karrow_kafka_stream_open (docs/metrics.md),
 * in the Prometheus text exposition format: the same names and values as
 * the CLI's --metrics-address endpoint and Python's reader.metrics().
 * Safe from any thread, also while the stream is being read, but not during
 * or after its release.
 *
 * Returns 0 on success and sets `*text` to a NUL-terminated string the
 * caller owns and frees with free(). Returns EINVAL when `stream` or `text`
 * is NULL or `stream` is not an unreleased stream of karrow_kafka_stream_open,
 * ENOMEM or EIO; on failure writes a message to `error` as karrow_kafka_stream_open
 * does and leaves `*text` untouched. */
KARROW_EXPORT int karrow_stream_metrics(struct ArrowArrayStream* stream, char** text, char* error,
                                        size_t error_size);

/* Frees a handle from karrow_kafka_stream_open; NULL is fine. The stream
 * stays valid, and dead letters it reads afterwards are discarded. */
KARROW_EXPORT void karrow_dead_letters_free(karrow_dead_letters* dead_letters);

#ifdef __cplusplus
}
#endif

#endif /* KARROW_KARROW_H_ */
