// Memory for Arrow buffers: 64-byte aligned blocks from a pool that takes
// them back when the last owner (karrow or a consumer of an export) lets go,
// so that steady-state batch building allocates nothing new.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>
#include <vector>

#include "karrow/export.h"

namespace karrow {

class KARROW_EXPORT MemoryPool : public std::enable_shared_from_this<MemoryPool> {
 public:
  static constexpr int64_t kAlignment = 64;

  /// The process-wide pool. Never destroyed, so that buffers released by a
  /// consumer during process exit still have a pool to return to.
  static const std::shared_ptr<MemoryPool>& Default();

  /// Creates a pool that caches at most `max_cached_bytes` of freed blocks.
  static std::shared_ptr<MemoryPool> Make(int64_t max_cached_bytes);

  /// Returns a block of at least `*capacity` bytes, aligned to kAlignment;
  /// `*capacity` is updated to the block's real size. Throws std::bad_alloc.
  /// The caller owns the block and gives it back with Free().
  uint8_t* Allocate(int64_t* capacity);
  ~MemoryPool();
  /// Takes back a block from Allocate() with the capacity it returned.
  void Free(uint8_t* data, int64_t capacity);

  int64_t bytes_in_use() const;  ///< Allocated and not yet freed.
  int64_t bytes_cached() const;  ///< Freed and kept for reuse.
  int64_t allocations() const;   ///< Blocks taken from the system (not reused).

 private:
  explicit MemoryPool(int64_t max_cached_bytes) : max_cached_bytes_(max_cached_bytes) {}

  static constexpr int kSizeClasses = 48;
  mutable std::mutex mu_;
  std::vector<uint8_t*> free_[kSizeClasses];
  int64_t max_cached_bytes_;
  int64_t bytes_in_use_ = 0;
  int64_t bytes_cached_ = 0;
  int64_t allocations_ = 0;
};

/// An immutable block of memory; returns it to its pool on destruction.
class KARROW_EXPORT Buffer {
 public:
  Buffer(std::shared_ptr<MemoryPool> pool, uint8_t* data, int64_t size, int64_t capacity)
      : pool_(std::move(pool)), data_(data), size_(size), capacity_(capacity) {}
  ~Buffer() {
    if (data_) pool_->Free(data_, capacity_);
  }
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;

  const uint8_t* data() const { return data_; }
  int64_t size() const { return size_; }

 private:
  std::shared_ptr<MemoryPool> pool_;
  uint8_t* data_;
  int64_t size_;
  int64_t capacity_;
};

/// A growable byte buffer for builders. Appends amortize growth; Finish()
/// hands the memory to an immutable Buffer and leaves the builder empty.
class KARROW_EXPORT BufferBuilder {
 public:
  explicit BufferBuilder(std::shared_ptr<MemoryPool> pool) : pool_(std::move(pool)) {}
  ~BufferBuilder() { Reset(); }
  BufferBuilder(const BufferBuilder&) = delete;
  BufferBuilder& operator=(const BufferBuilder&) = delete;

  uint8_t* mutable_data() { return data_; }
  const uint8_t* data() const { return data_; }
  int64_t size() const { return size_; }
  int64_t capacity() const { return capacity_; }

  /// Makes room for `additional` more bytes without reallocating.
  void Reserve(int64_t additional) {
    if (size_ + additional > capacity_) Grow(size_ + additional);
  }
  void UnsafeAppend(const void* bytes, int64_t n) {
    // An empty builder has no memory yet, and memcpy with a null pointer is
    // undefined even for 0 bytes (found by fuzz/newline_framing: an empty
    // first string).
    if (n == 0) return;
    std::memcpy(data_ + size_, bytes, static_cast<size_t>(n));
    size_ += n;
  }
  void Append(const void* bytes, int64_t n) {
    Reserve(n);
    UnsafeAppend(bytes, n);
  }
  template <typename T>
  void UnsafeAppendValue(T v) {
    std::memcpy(data_ + size_, &v, sizeof(T));
    size_ += sizeof(T);
  }
  template <typename T>
  void AppendValue(T v) {
    Reserve(sizeof(T));
    UnsafeAppendValue(v);
  }
  /// Appends `n` zero bytes.
  void AppendZeros(int64_t n) {
    Reserve(n);
    std::memset(data_ + size_, 0, static_cast<size_t>(n));
    size_ += n;
  }
  void Resize(int64_t size) {
    if (size > capacity_) Grow(size);
    size_ = size;
  }
  /// Gives the bytes to a Buffer (size rounded up to a multiple of 8 with
  /// zeroed padding, so that bitmaps and values are safe to read in words).
  std::shared_ptr<Buffer> Finish();
  /// Returns the memory to the pool.
  void Reset();

 private:
  void Grow(int64_t min_capacity);

  std::shared_ptr<MemoryPool> pool_;
  uint8_t* data_ = nullptr;
  int64_t size_ = 0;
  int64_t capacity_ = 0;
};

}  // namespace karrow
