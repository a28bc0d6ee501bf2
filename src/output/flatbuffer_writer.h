// A small FlatBuffers encoder, enough for Arrow IPC metadata: tables with
// scalar and reference fields, strings, vectors of tables and of structs.
// The message is described as a tree and laid out front to back: each object
// is written before the objects it refers to, so every reference points
// forward, as the FlatBuffers format requires.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

namespace karrow::fb {

struct Node;
using NodePtr = std::shared_ptr<Node>;

struct Node {
  enum class Kind { kTable, kString, kTableVector, kStructVector };
  struct Slot {
    int id;
    int size;         // bytes of a scalar; 0 for a reference
    uint64_t scalar;  // little-endian bits of the scalar
    NodePtr ref;
  };
  Kind kind = Kind::kTable;
  std::vector<Slot> slots;        // kTable
  std::string bytes;              // kString text, or kStructVector raw elements
  int64_t count = 0;              // kStructVector element count
  std::vector<NodePtr> elements;  // kTableVector

  Node& Add(int id, int size, uint64_t bits) {
    slots.push_back({id, size, bits, nullptr});
    return *this;
  }
  Node& Ref(int id, NodePtr n) {
    if (n) slots.push_back({id, 0, 0, std::move(n)});
    return *this;
  }
};

inline NodePtr Table() { return std::make_shared<Node>(); }
inline NodePtr String(std::string s) {
  auto n = std::make_shared<Node>();
  n->kind = Node::Kind::kString;
  n->bytes = std::move(s);
  return n;
}
inline NodePtr TableVector(std::vector<NodePtr> elements) {
  auto n = std::make_shared<Node>();
  n->kind = Node::Kind::kTableVector;
  n->elements = std::move(elements);
  return n;
}
/// Elements of 8-byte-aligned structs, given as their raw little-endian bytes.
inline NodePtr StructVector(std::string raw, int64_t count) {
  auto n = std::make_shared<Node>();
  n->kind = Node::Kind::kStructVector;
  n->bytes = std::move(raw);
  n->count = count;
  return n;
}

/// Encodes `root` as a finished FlatBuffer (root offset first).
std::string Finish(const NodePtr& root);

}  // namespace karrow::fb
