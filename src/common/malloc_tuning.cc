#include "common/malloc_tuning.h"

#include <cstdlib>  // defines __GLIBC__ under glibc

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace karrow {

void HoldMmapThreshold() {
#if defined(__GLIBC__)
  // A threshold the user chose (glibc reads it at start-up) stays.
  if (std::getenv("MALLOC_MMAP_THRESHOLD_") != nullptr) return;
  // Setting it at all, even to the default, turns the sliding off.
  mallopt(M_MMAP_THRESHOLD, 128 * 1024);
#endif
}

}  // namespace karrow
