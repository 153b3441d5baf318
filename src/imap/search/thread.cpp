// RFC 5256 §3 THREAD algorithms. REFERENCES works on a container array
// (a container holds a message or is a dummy for an id only referenced);
// every walk is iterative, see thread.hpp.
#include "imap/search/thread.hpp"

#include <algorithm>
#include <tuple>
#include <unordered_map>

#include "mime/msg_id.hpp"

namespace postern::imap {
namespace {

constexpr uint32_t kNone = UINT32_MAX;

struct Tree {
  struct Container {
    uint32_t msg = kNone;  // index into the messages, or kNone for a dummy
    uint32_t parent = kNone;
    std::vector<uint32_t> children;
  };
  std::vector<Container> c;

  uint32_t add(uint32_t msg) {
    c.push_back(Container{msg, kNone, {}});
    return static_cast<uint32_t>(c.size() - 1);
  }
  bool dummy(uint32_t x) const { return c[x].msg == kNone; }
  // True when `a` is `x` or one of its ancestors: linking a as x's child
  // would then close a loop. Without children `a` is nobody's ancestor,
  // which saves the walk up a long chain of replies.
  bool ancestor_or_self(uint32_t a, uint32_t x) const {
    if (c[a].children.empty()) return a == x;
    for (uint32_t y = x; y != kNone; y = c[y].parent)
      if (y == a) return true;
    return false;
  }
  void link(uint32_t parent, uint32_t child) {
    c[child].parent = parent;
    c[parent].children.push_back(child);
  }
  void unlink(uint32_t child) {
    auto& siblings = c[c[child].parent].children;
    siblings.erase(std::find(siblings.begin(), siblings.end(), child));
    c[child].parent = kNone;
  }
  // Every container under `root` such that each one comes after all of its
  // descendants (reversed pre-order), root last.
  std::vector<uint32_t> bottom_up(uint32_t root) const {
    std::vector<uint32_t> order, stack{root};
    while (!stack.empty()) {
      uint32_t x = stack.back();
      stack.pop_back();
      order.push_back(x);
      for (uint32_t ch : c[x].children) stack.push_back(ch);
    }
    std::reverse(order.begin(), order.end());
    return order;
  }
};

using DateKey = std::tuple<int64_t, uint32_t>;  // (sent date, seq): RFC 5256 §2.2 order

DateKey key_of(const Tree& t, const std::vector<ThreadMessage>& m, uint32_t x) {
  // A dummy sorts by its first child (RFC 5256 §3 REFERENCES steps 4 and 6).
  while (t.dummy(x) && !t.c[x].children.empty()) x = t.c[x].children.front();
  if (t.dummy(x)) return {INT64_MAX, UINT32_MAX};
  const auto& msg = m[t.c[x].msg];
  return {msg.sent, msg.seq};
}

void sort_by_date(Tree& t, const std::vector<ThreadMessage>& m, std::vector<uint32_t>& list) {
  std::stable_sort(list.begin(), list.end(),
                   [&](uint32_t a, uint32_t b) { return key_of(t, m, a) < key_of(t, m, b); });
}

// The message a thread's subject comes from: itself, or a dummy's first child.
const ThreadMessage* subject_message(const Tree& t, const std::vector<ThreadMessage>& m, uint32_t x) {
  while (t.dummy(x) && !t.c[x].children.empty()) x = t.c[x].children.front();
  return t.dummy(x) ? nullptr : &m[t.c[x].msg];
}

ThreadForest to_forest(const Tree& t, const std::vector<ThreadMessage>& m, const std::vector<uint32_t>& roots) {
  ThreadForest f;
  std::vector<std::pair<uint32_t, uint32_t>> pending;  // (container, node)
  for (uint32_t r : roots) {
    f.roots.push_back(static_cast<uint32_t>(f.nodes.size()));
    f.nodes.emplace_back();
    pending.emplace_back(r, f.roots.back());
  }
  while (!pending.empty()) {
    auto [x, n] = pending.back();
    pending.pop_back();
    f.nodes[n].number = t.dummy(x) ? 0 : m[t.c[x].msg].number;
    for (uint32_t ch : t.c[x].children) {
      auto idx = static_cast<uint32_t>(f.nodes.size());
      f.nodes.emplace_back();
      f.nodes[n].children.push_back(idx);
      pending.emplace_back(ch, idx);
    }
  }
  return f;
}

}  // namespace

std::vector<std::string> parse_msg_ids(std::string_view value) {
  std::vector<std::string> out;
  for (const auto& token : mime::extract_msg_ids(value)) {
    // Inside the brackets: quotes and quoted-pair backslashes go, so that
    // quoting does not matter (extract_msg_ids already dropped blanks).
    std::string id;
    for (size_t i = 1; i + 1 < token.size(); ++i) {
      if (token[i] == '\\' && i + 2 < token.size()) id.push_back(token[++i]);
      else if (token[i] != '"') id.push_back(token[i]);
    }
    auto at = id.find('@');
    if (at != std::string::npos && at > 0 && at + 1 < id.size()) out.push_back(std::move(id));
  }
  return out;
}

ThreadForest thread_orderedsubject(const std::vector<ThreadMessage>& m) {
  // RFC 5256 §3 ORDEREDSUBJECT: by base subject then sent date; one thread
  // per subject whose first message is the parent of all the others;
  // threads by the sent date of their first message.
  std::vector<uint32_t> idx(m.size());
  for (uint32_t i = 0; i < idx.size(); ++i) idx[i] = i;
  std::sort(idx.begin(), idx.end(), [&](uint32_t a, uint32_t b) {
    return std::tie(m[a].base_subject, m[a].sent, m[a].seq) < std::tie(m[b].base_subject, m[b].sent, m[b].seq);
  });
  ThreadForest f;
  size_t i = 0;
  while (i < idx.size()) {
    auto parent = static_cast<uint32_t>(f.nodes.size());
    f.nodes.push_back({m[idx[i]].number, {}});
    f.roots.push_back(parent);
    size_t j = i + 1;
    for (; j < idx.size() && m[idx[j]].base_subject == m[idx[i]].base_subject; ++j) {
      f.nodes[parent].children.push_back(static_cast<uint32_t>(f.nodes.size()));
      f.nodes.push_back({m[idx[j]].number, {}});
    }
    i = j;
  }
  // Each root's first message is the earliest of its thread, so the thread
  // order is the order of the roots' own (date, seq).
  std::vector<DateKey> first(f.nodes.size());
  {
    size_t k = 0, n = 0;
    while (k < idx.size()) {
      first[f.roots[n]] = {m[idx[k]].sent, m[idx[k]].seq};
      k += 1 + f.nodes[f.roots[n]].children.size();
      ++n;
    }
  }
  std::stable_sort(f.roots.begin(), f.roots.end(), [&](uint32_t a, uint32_t b) { return first[a] < first[b]; });
  return f;
}

ThreadForest thread_references(const std::vector<ThreadMessage>& m) {
  Tree t;
  t.c.reserve(m.size() * 2 + 1);
  std::unordered_map<std::string_view, uint32_t> ids;
  std::vector<uint32_t> own(m.size());
  // Every message gets a container. RFC 5256 §3: a Message-ID already used
  // by an earlier message (lower sequence number) is ignored for this one,
  // which then has a unique id; so is a missing one.
  for (uint32_t i = 0; i < m.size(); ++i) {
    own[i] = t.add(i);
    if (!m[i].message_id.empty()) ids.emplace(m[i].message_id, own[i]);
  }
  auto container = [&](const std::string& id) {
    auto it = ids.find(id);
    if (it != ids.end()) return it->second;
    uint32_t x = t.add(kNone);
    ids.emplace(id, x);
    return x;
  };
  // Step 1.
  for (uint32_t i = 0; i < m.size(); ++i) {
    const auto& refs = m[i].references;
    // (A) Consecutive references become parent and child, unless the child
    // already has a parent or the link would close a loop.
    for (size_t k = 1; k < refs.size(); ++k) {
      uint32_t a = container(refs[k - 1]);
      uint32_t b = container(refs[k]);
      if (t.c[b].parent == kNone && !t.ancestor_or_self(b, a)) t.link(a, b);
    }
    // (B) The last reference is the message's parent, replacing any parent
    // it got from another message's references; no references, no parent.
    uint32_t self = own[i];
    if (t.c[self].parent != kNone) t.unlink(self);
    if (!refs.empty()) {
      uint32_t last = container(refs.back());
      if (!t.ancestor_or_self(self, last)) t.link(last, self);
    }
  }
  // Step 2: the root set, as children of a virtual root.
  const uint32_t root = t.add(kNone);
  for (uint32_t x = 0; x < root; ++x)
    if (t.c[x].parent == kNone) t.c[root].children.push_back(x);

  // Step 3: prune dummies. A dummy without children goes; one with children
  // gives them to its parent, except at the top where it stays when it has
  // more than one child. Bottom-up, so promoted children are already pruned.
  for (uint32_t x : t.bottom_up(root)) {
    std::vector<uint32_t> kept;
    for (uint32_t ch : t.c[x].children) {
      if (!t.dummy(ch)) {
        kept.push_back(ch);
      } else if (t.c[ch].children.empty()) {
        continue;
      } else if (x != root || t.c[ch].children.size() == 1) {
        for (uint32_t g : t.c[ch].children) {
          t.c[g].parent = x == root ? kNone : x;
          kept.push_back(g);
        }
        t.c[ch].children.clear();
      } else {
        kept.push_back(ch);
      }
    }
    t.c[x].children = std::move(kept);
  }

  // Step 4: the root set by sent date (a dummy by its earliest child).
  for (uint32_t x : t.c[root].children)
    if (t.dummy(x)) sort_by_date(t, m, t.c[x].children);
  sort_by_date(t, m, t.c[root].children);

  // Step 5: gather threads whose (first) message has the same base subject.
  // Indexes, not references: t.add() may move the containers.
  auto root_at = [&](size_t k) -> uint32_t& { return t.c[root].children[k]; };
  const size_t nroots = t.c[root].children.size();
  std::unordered_map<std::string_view, uint32_t> subjects;
  for (size_t k = 0; k < nroots; ++k) {  // (B)
    uint32_t x = root_at(k);
    const ThreadMessage* sm = subject_message(t, m, x);
    if (!sm || sm->base_subject.empty()) continue;
    auto [it, fresh] = subjects.emplace(sm->base_subject, x);
    if (fresh) continue;
    uint32_t y = it->second;
    const ThreadMessage* ym = subject_message(t, m, y);
    if (!t.dummy(y) && (t.dummy(x) || (ym->reply_or_forward && !sm->reply_or_forward))) it->second = x;
  }
  std::unordered_map<uint32_t, size_t> position;
  for (size_t k = 0; k < nroots; ++k) position[root_at(k)] = k;
  std::vector<bool> removed(nroots, false);
  for (size_t k = 0; k < nroots; ++k) {  // (C)
    uint32_t x = root_at(k);
    const ThreadMessage* sm = subject_message(t, m, x);
    if (!sm || sm->base_subject.empty()) continue;
    auto it = subjects.find(sm->base_subject);
    if (it == subjects.end() || it->second == x) continue;
    uint32_t y = it->second;
    const ThreadMessage* ym = subject_message(t, m, y);
    if (t.dummy(x) && t.dummy(y)) {
      for (uint32_t ch : t.c[x].children) t.link(y, ch);
      t.c[x].children.clear();
    } else if (t.dummy(y) || (sm->reply_or_forward && !ym->reply_or_forward)) {
      t.link(y, x);
    } else {
      // Both replies or neither: siblings under a new dummy, which takes
      // the place of the table's message in the root set and in the table.
      uint32_t d = t.add(kNone);
      size_t py = position.at(y);
      root_at(py) = d;
      position[d] = py;
      t.link(d, y);
      t.link(d, x);
      it->second = d;
    }
    removed[k] = true;
  }
  {
    std::vector<uint32_t> kept;
    for (size_t k = 0; k < nroots; ++k)
      if (!removed[k]) kept.push_back(root_at(k));
    t.c[root].children = std::move(kept);
  }

  // Step 6: every set of siblings by sent date, children before parents
  // (a dummy sorts by its first child, which must be in place first).
  for (uint32_t x : t.bottom_up(root)) sort_by_date(t, m, t.c[x].children);
  return to_forest(t, m, t.c[root].children);
}

std::string render_threads(const ThreadForest& f) {
  // RFC 5256 §4: thread-list = "(" (thread-members / thread-nested) ")";
  // a chain of single children continues the member list, several
  // children each get their own nested list.
  enum class Op : uint8_t { members, open, close, space };
  struct Tok {
    Op op;
    uint32_t node;
  };
  std::string out;
  std::vector<Tok> stack, seq;
  for (uint32_t r : f.roots) {
    stack.push_back({Op::close, 0});
    stack.push_back({Op::members, r});
    stack.push_back({Op::open, 0});
    while (!stack.empty()) {
      Tok t = stack.back();
      stack.pop_back();
      switch (t.op) {
        case Op::open: out.push_back('('); continue;
        case Op::close: out.push_back(')'); continue;
        case Op::space: out.push_back(' '); continue;
        case Op::members: break;
      }
      const auto& n = f.nodes[t.node];
      seq.clear();
      if (n.number != 0) {
        out += std::to_string(n.number);
        if (!n.children.empty()) seq.push_back({Op::space, 0});
      }
      if (n.children.size() == 1) {
        seq.push_back({Op::members, n.children[0]});
      } else {
        for (uint32_t ch : n.children) {
          seq.push_back({Op::open, 0});
          seq.push_back({Op::members, ch});
          seq.push_back({Op::close, 0});
        }
      }
      stack.insert(stack.end(), seq.rbegin(), seq.rend());
    }
  }
  return out;
}

}  // namespace postern::imap
