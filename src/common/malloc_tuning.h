// A process-wide glibc malloc setting for karrow's own executables.
//
// glibc maps blocks above its mmap threshold (128 KiB at start) and, each
// time such a block is freed, raises the threshold to its size (up to 32
// MiB); blocks that size then come from the heap instead. librdkafka's fetch
// responses are such blocks, megabytes each, freed by the reading thread
// long after the fetching thread made them, so once the threshold has slid
// up they fragment the heap and a reader's RSS keeps growing: to 170 MiB in
// 15 s with a 16 MiB prefetch queue in the benchmarks, against 60-90 MiB
// with the threshold held where glibc starts it.
//
// Only executables call this: a library must not change its host process's
// allocator. Library users can get the same with the environment variable
// MALLOC_MMAP_THRESHOLD_=131072 (README, "Memory and fetching").
#pragma once

namespace karrow {

/// Fixes glibc's mmap threshold at its starting value, which also stops it
/// sliding. Does nothing where malloc is not glibc's, or when the
/// environment sets MALLOC_MMAP_THRESHOLD_ (the user's choice stands).
void HoldMmapThreshold();

}  // namespace karrow
