/* A C program built against an installed karrow (tests/consumer/run.sh):
 * reads a topic of JSON records {"id": <int>, "name": <string>} to its end
 * through the C API and prints what it read, as
 *   rows=<count> id_sum=<sum of id> name_hash=<sum of FNV-1a 64 of name>
 * Sums, because the order of rows across partitions is not fixed.
 * Usage: consumer_c BOOTSTRAP_SERVERS TOPIC */
#include <karrow/karrow.h>
#include <karrow/version.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static const char kValueSchema[] =
    "{\"fields\": [{\"name\": \"id\", \"type\": \"int64\", \"nullable\": false},"
    " {\"name\": \"name\", \"type\": \"utf8\"}]}";

static uint64_t Fnv1a(const uint8_t* bytes, int32_t n) {
  uint64_t h = 14695981039346656037ULL;
  for (int32_t i = 0; i < n; ++i) {
    h ^= bytes[i];
    h *= 1099511628211ULL;
  }
  return h;
}

static int ColumnIndex(const struct ArrowSchema* schema, const char* name, const char* format) {
  for (int64_t i = 0; i < schema->n_children; ++i) {
    const struct ArrowSchema* child = schema->children[i];
    if (strcmp(child->name, name) == 0 && strcmp(child->format, format) == 0) return (int)i;
  }
  return -1;
}

int main(int argc, char** argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s BOOTSTRAP_SERVERS TOPIC\n", argv[0]);
    return 2;
  }
  /* The header and the library that was loaded must be the same release. */
  if (strcmp(karrow_version(), KARROW_VERSION_STRING) != 0) {
    fprintf(stderr, "karrow_version() %s, karrow/version.h %s\n", karrow_version(),
            KARROW_VERSION_STRING);
    return 1;
  }
  const char* keys[] = {"topic", "bootstrap_servers", "format", "value_schema", "stop_at_end"};
  const char* values[] = {argv[2], argv[1], "json", kValueSchema, "true"};
  struct ArrowArrayStream stream;
  char error[512];
  int rc = karrow_kafka_stream_open(keys, values, sizeof keys / sizeof keys[0], 0, 1, &stream, NULL,
                                    error, sizeof error);
  if (rc != 0) {
    fprintf(stderr, "karrow_kafka_stream_open: %d: %s\n", rc, error);
    return 1;
  }
  struct ArrowSchema schema;
  if (stream.get_schema(&stream, &schema) != 0) {
    fprintf(stderr, "get_schema: %s\n", stream.get_last_error(&stream));
    return 1;
  }
  int id_col = ColumnIndex(&schema, "id", "l");
  int name_col = ColumnIndex(&schema, "name", "u");
  schema.release(&schema);
  if (id_col < 0 || name_col < 0) {
    fprintf(stderr, "no int64 column id or utf8 column name\n");
    return 1;
  }

  int64_t rows = 0;
  int64_t id_sum = 0;
  uint64_t name_hash = 0;
  int failed = 0;
  for (;;) {
    struct ArrowArray batch;
    if (stream.get_next(&stream, &batch) != 0) {
      fprintf(stderr, "get_next: %s\n", stream.get_last_error(&stream));
      failed = 1;
      break;
    }
    if (batch.release == NULL) break; /* the end of the stream */
    const struct ArrowArray* ids = batch.children[id_col];
    const struct ArrowArray* names = batch.children[name_col];
    if (ids->null_count != 0 || names->null_count != 0) {
      fprintf(stderr, "unexpected nulls\n");
      failed = 1;
    } else {
      const int64_t* id_values = (const int64_t*)ids->buffers[1];
      const int32_t* offsets = (const int32_t*)names->buffers[1];
      const uint8_t* chars = (const uint8_t*)names->buffers[2];
      for (int64_t i = 0; i < batch.length; ++i) {
        /* A struct's offset shifts its children too (the Arrow format). */
        int64_t id_at = batch.offset + ids->offset + i;
        int64_t name_at = batch.offset + names->offset + i;
        id_sum += id_values[id_at];
        name_hash += Fnv1a(chars + offsets[name_at], offsets[name_at + 1] - offsets[name_at]);
      }
      rows += batch.length;
    }
    batch.release(&batch);
    if (failed) break;
  }
  stream.release(&stream);
  if (failed) return 1;
  printf("rows=%lld id_sum=%lld name_hash=%llu\n", (long long)rows, (long long)id_sum,
         (unsigned long long)name_hash);
  return 0;
}
