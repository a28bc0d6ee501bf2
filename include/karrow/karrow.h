/* karrow's C API: open a Kafka topic as an Arrow C stream. For bindings
 * (the Python package uses it through ctypes) and for C programs. */
#ifndef KARROW_KARROW_H_
#define KARROW_KARROW_H_

#include <stddef.h>
#include <stdint.h>

#include "karrow/arrow_c_abi.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The library's version, e.g. "0.1.0". Static storage; do not free. */
const char* karrow_version(void);

/* Opens task `task_index` of `parallelism` of a Kafka source configured by
 * `count` string properties (keys as in KafkaSourceConfig::FromProperties:
 * topic, bootstrap_servers, format, metadata_fields, client_configs.<name>,
 * ...) and moves it into `*out` as an ArrowArrayStream.
 *
 * Returns 0 on success: the caller owns `*out` and must call out->release,
 * which closes the consumer. On failure returns EINVAL (bad configuration),
 * ENOENT (topic not found), ETIMEDOUT (cluster did not answer) or EIO, writes
 * a NUL-terminated message of at most `error_size` bytes to `error` (when not
 * NULL) and leaves `*out` untouched. The key and value strings are copied. */
int karrow_kafka_stream_open(const char* const* keys, const char* const* values, size_t count,
                             int32_t task_index, int32_t parallelism,
                             struct ArrowArrayStream* out, char* error, size_t error_size);

#ifdef __cplusplus
}
#endif

#endif /* KARROW_KARROW_H_ */
