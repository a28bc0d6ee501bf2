// The Arrow form of a Protobuf message: one column per field, in declaration
// order (README, "Protobuf"). The decoder compiles against these columns.
#pragma once

#include <vector>

#include "karrow/data_type.h"
#include "karrow/status.h"

namespace google::protobuf {
class Descriptor;
class FieldDescriptor;
}  // namespace google::protobuf

namespace karrow {

/// Messages with an Arrow type of their own rather than a struct.
enum class ProtoWellKnown {
  kNone,
  kTimestamp,  ///< google.protobuf.Timestamp: timestamp[ns, UTC].
  kDuration,   ///< google.protobuf.Duration: duration[ns].
  kWrapper,    ///< google.protobuf.*Value wrappers: their `value` field, nullable.
};
ProtoWellKnown WellKnownKind(const google::protobuf::Descriptor* message);

/// The columns of `message`. A recursive message (one that contains itself,
/// as google.protobuf.Struct does) or one nested deeper than
/// kMaxNestingDepth has no Arrow form: an error naming the field.
Result<std::vector<Field>> ProtobufToArrowColumns(const google::protobuf::Descriptor* message);

/// The Arrow field of one field of a message.
Result<Field> ProtobufToArrowField(const google::protobuf::FieldDescriptor* field);

}  // namespace karrow
