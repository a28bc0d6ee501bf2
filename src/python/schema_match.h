// Whether a consumer's requested_schema is the schema a reader produces.
// karrow does not cast, so anything else is refused with the difference.
#pragma once

#include <string>

#include "karrow/arrow_c_abi.h"

namespace karrow::python {

/// Empty when `requested` describes the same columns as `produced`: the same
/// format, names, nullability flags, children and dictionaries at every level.
/// Metadata is ignored (it does not change the data; pyarrow, for one, drops
/// or adds extension metadata freely), and so are the top level's name and
/// flags (a record batch has no name, and producers differ on its flags).
/// Otherwise a sentence naming the first difference.
std::string SchemaDifference(const ArrowSchema& requested, const ArrowSchema& produced);

}  // namespace karrow::python
