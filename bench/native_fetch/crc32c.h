// CRC32C (Castagnoli), as Kafka's RecordBatch v2 checksums its batches: the
// SSE4.2 crc32 instruction where the CPU has it, a table otherwise.
#pragma once

#include <cstddef>
#include <cstdint>

namespace karrow::native {

/// The CRC32C of [data, data + size).
uint32_t Crc32c(const uint8_t* data, size_t size);
/// The same without the instruction (for the check that both agree).
uint32_t Crc32cPortable(const uint8_t* data, size_t size);

}  // namespace karrow::native
