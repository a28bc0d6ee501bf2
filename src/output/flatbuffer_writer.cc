#include "output/flatbuffer_writer.h"

#include <algorithm>

namespace karrow::fb {
namespace {

class Encoder {
 public:
  std::string out;

  void Pad(size_t alignment) {
    while (out.size() % alignment) out.push_back('\0');
  }
  template <typename T>
  void Put(T v) {
    out.append(reinterpret_cast<const char*>(&v), sizeof(T));
  }
  template <typename T>
  void PutAt(size_t pos, T v) {
    std::memcpy(out.data() + pos, &v, sizeof(T));
  }
  // A reference is a uint32 counted from its own position to the target.
  void Patch(size_t ref_pos, size_t target) {
    PutAt<uint32_t>(ref_pos, static_cast<uint32_t>(target - ref_pos));
  }

  size_t Write(const Node& n) {
    switch (n.kind) {
      case Node::Kind::kString: {
        Pad(4);
        size_t pos = out.size();
        Put<uint32_t>(static_cast<uint32_t>(n.bytes.size()));
        out += n.bytes;
        out.push_back('\0');
        return pos;
      }
      case Node::Kind::kStructVector: {
        // Elements must sit on 8 bytes, right after the 4-byte count.
        while ((out.size() + 4) % 8) out.push_back('\0');
        size_t pos = out.size();
        Put<uint32_t>(static_cast<uint32_t>(n.count));
        out += n.bytes;
        return pos;
      }
      case Node::Kind::kTableVector: {
        Pad(4);
        size_t pos = out.size();
        Put<uint32_t>(static_cast<uint32_t>(n.elements.size()));
        size_t refs = out.size();
        for (size_t i = 0; i < n.elements.size(); ++i) Put<uint32_t>(0);
        for (size_t i = 0; i < n.elements.size(); ++i) Patch(refs + 4 * i, Write(*n.elements[i]));
        return pos;
      }
      case Node::Kind::kTable:
        return WriteTable(n);
    }
    return 0;
  }

  size_t WriteTable(const Node& n) {
    // Field layout inside the table: soffset first, then fields by size,
    // largest first, so that 8-byte fields can be aligned with little padding.
    std::vector<const Node::Slot*> slots;
    for (const auto& s : n.slots) slots.push_back(&s);
    std::stable_sort(slots.begin(), slots.end(), [](auto* a, auto* b) {
      return (a->size ? a->size : 4) > (b->size ? b->size : 4);
    });
    int max_id = -1;
    for (const auto& s : n.slots) max_id = std::max(max_id, s.id);

    // The vtable comes first; the table follows it, 8-byte aligned after its
    // 4-byte soffset when any field is 8 bytes wide.
    Pad(2);
    size_t vtable = out.size();
    uint16_t vtable_size = static_cast<uint16_t>(4 + 2 * (max_id + 1));
    out.append(vtable_size, '\0');
    bool wide = std::any_of(slots.begin(), slots.end(), [](auto* s) { return s->size == 8; });
    if (wide) {
      while ((out.size() + 4) % 8) out.push_back('\0');
    } else {
      Pad(4);
    }
    size_t table = out.size();
    Put<int32_t>(static_cast<int32_t>(table - vtable));
    std::vector<std::pair<size_t, const Node*>> refs;
    for (const Node::Slot* s : slots) {
      size_t width = s->size ? static_cast<size_t>(s->size) : 4;
      while ((out.size()) % width) out.push_back('\0');
      size_t at = out.size();
      PutAt<uint16_t>(vtable + 4 + 2 * static_cast<size_t>(s->id),
                      static_cast<uint16_t>(at - table));
      if (s->size == 0) {
        Put<uint32_t>(0);
        refs.emplace_back(at, s->ref.get());
      } else {
        out.append(reinterpret_cast<const char*>(&s->scalar), width);
      }
    }
    PutAt<uint16_t>(vtable, vtable_size);
    PutAt<uint16_t>(vtable + 2, static_cast<uint16_t>(out.size() - table));
    for (auto [at, child] : refs) Patch(at, Write(*child));
    return table;
  }
};

}  // namespace

std::string Finish(const NodePtr& root) {
  Encoder e;
  e.Put<uint32_t>(0);
  e.Patch(0, e.Write(*root));
  e.Pad(8);
  return std::move(e.out);
}

}  // namespace karrow::fb
