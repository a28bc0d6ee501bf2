#include "karrow/buffer.h"

#include <algorithm>
#include <cstdlib>
#include <new>

namespace karrow {
namespace {

// Size class k holds blocks of 64 << k bytes.
int SizeClass(int64_t capacity) {
  int k = 0;
  while ((MemoryPool::kAlignment << k) < capacity) ++k;
  return k;
}

}  // namespace

const std::shared_ptr<MemoryPool>& MemoryPool::Default() {
  static auto* pool = new std::shared_ptr<MemoryPool>(Make(int64_t{256} << 20));
  return *pool;
}

std::shared_ptr<MemoryPool> MemoryPool::Make(int64_t max_cached_bytes) {
  return std::shared_ptr<MemoryPool>(new MemoryPool(max_cached_bytes));
}

MemoryPool::~MemoryPool() {
  for (auto& blocks : free_) {
    for (uint8_t* p : blocks) std::free(p);
  }
}

uint8_t* MemoryPool::Allocate(int64_t* capacity) {
  int k = SizeClass(std::max<int64_t>(*capacity, 1));
  if (k >= kSizeClasses) throw std::bad_alloc();
  int64_t size = kAlignment << k;
  {
    std::lock_guard<std::mutex> lock(mu_);
    bytes_in_use_ += size;
    if (!free_[k].empty()) {
      uint8_t* p = free_[k].back();
      free_[k].pop_back();
      bytes_cached_ -= size;
      *capacity = size;
      return p;
    }
    ++allocations_;
  }
  void* p = std::aligned_alloc(kAlignment, static_cast<size_t>(size));
  if (p == nullptr) {
    std::lock_guard<std::mutex> lock(mu_);
    bytes_in_use_ -= size;
    throw std::bad_alloc();
  }
  *capacity = size;
  return static_cast<uint8_t*>(p);
}

void MemoryPool::Free(uint8_t* data, int64_t capacity) {
  int k = SizeClass(capacity);
  {
    std::lock_guard<std::mutex> lock(mu_);
    bytes_in_use_ -= capacity;
    if (bytes_cached_ + capacity <= max_cached_bytes_) {
      free_[k].push_back(data);
      bytes_cached_ += capacity;
      return;
    }
  }
  std::free(data);
}

int64_t MemoryPool::bytes_in_use() const {
  std::lock_guard<std::mutex> lock(mu_);
  return bytes_in_use_;
}

int64_t MemoryPool::bytes_cached() const {
  std::lock_guard<std::mutex> lock(mu_);
  return bytes_cached_;
}

int64_t MemoryPool::allocations() const {
  std::lock_guard<std::mutex> lock(mu_);
  return allocations_;
}

void BufferBuilder::Grow(int64_t min_capacity) {
  int64_t capacity = std::max(min_capacity, capacity_ * 2);
  uint8_t* fresh = pool_->Allocate(&capacity);
  if (size_ > 0) std::memcpy(fresh, data_, static_cast<size_t>(size_));
  if (data_) pool_->Free(data_, capacity_);
  data_ = fresh;
  capacity_ = capacity;
}

std::shared_ptr<Buffer> BufferBuilder::Finish() {
  int64_t padded = (size_ + 7) & ~int64_t{7};
  if (padded > capacity_) Grow(padded);
  if (padded > size_) std::memset(data_ + size_, 0, static_cast<size_t>(padded - size_));
  if (data_ == nullptr) Grow(MemoryPool::kAlignment);  // never export a null data buffer
  auto buffer = std::make_shared<Buffer>(pool_, data_, size_, capacity_);
  data_ = nullptr;
  size_ = 0;
  capacity_ = 0;
  return buffer;
}

void BufferBuilder::Reset() {
  if (data_) pool_->Free(data_, capacity_);
  data_ = nullptr;
  size_ = 0;
  capacity_ = 0;
}

}  // namespace karrow
