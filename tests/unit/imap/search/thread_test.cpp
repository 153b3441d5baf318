// THREAD=ORDEREDSUBJECT and THREAD=REFERENCES (RFC 5256 §3) on small
// mailboxes built for each step of the algorithm, and the response syntax.
#include <gtest/gtest.h>

#include "imap/search/base_subject.hpp"
#include "imap/search/thread.hpp"

namespace postern::imap {
namespace {

struct Msg {
  const char* subject;
  int64_t date;
  const char* message_id;  // raw header values
  const char* references;
};

std::vector<ThreadMessage> mailbox(std::initializer_list<Msg> list) {
  std::vector<ThreadMessage> out;
  uint32_t seq = 0;
  for (const auto& m : list) {
    ThreadMessage t;
    t.seq = t.number = ++seq;
    t.sent = m.date;
    auto b = base_subject(m.subject);
    t.base_subject = b.text;
    t.reply_or_forward = b.reply_or_forward;
    auto ids = parse_msg_ids(m.message_id);
    if (!ids.empty()) t.message_id = ids.front();
    t.references = parse_msg_ids(m.references);
    out.push_back(std::move(t));
  }
  return out;
}

std::string refs(std::initializer_list<Msg> list) { return render_threads(thread_references(mailbox(list))); }
std::string ordered(std::initializer_list<Msg> list) { return render_threads(thread_orderedsubject(mailbox(list))); }

TEST(ThreadTest, ParseMsgIdsNormalizesQuoting) {
  EXPECT_EQ(parse_msg_ids("<\"01KF8JCEOCBS0045PS\"@xxx.yyy.com>"),
            std::vector<std::string>{"01KF8JCEOCBS0045PS@xxx.yyy.com"});
  EXPECT_EQ(parse_msg_ids("<a@b>\r\n <c@d>\t<\"q\\\"x\"@e> < d@\r\n e >"),
            (std::vector<std::string>{"a@b", "c@d", "q\"x@e", "d@e"}));
  EXPECT_EQ(parse_msg_ids("<no-at> <@x> <y@> <ok@x"), std::vector<std::string>{});
  EXPECT_EQ(parse_msg_ids("<a@b <c@d>"), std::vector<std::string>{"c@d"});
}

TEST(ThreadTest, RenderSyntax) {
  // RFC 5256 §4: "(2)(3 6 (4 23)(44 7 96))".
  ThreadForest f;
  auto node = [&](uint32_t n, std::vector<uint32_t> children) {
    f.nodes.push_back({n, std::move(children)});
    return static_cast<uint32_t>(f.nodes.size() - 1);
  };
  uint32_t n96 = node(96, {}), n7 = node(7, {n96}), n44 = node(44, {n7});
  uint32_t n23 = node(23, {}), n4 = node(4, {n23});
  uint32_t n6 = node(6, {n4, n44}), n3 = node(3, {n6});
  uint32_t n2 = node(2, {});
  uint32_t a = node(10, {}), b = node(11, {}), dummy = node(0, {a, b});
  f.roots = {n2, n3, dummy};
  EXPECT_EQ(render_threads(f), "(2)(3 6 (4 23)(44 7 96))((10)(11))");
  EXPECT_EQ(render_threads(ThreadForest{}), "");
}

TEST(ThreadTest, OrderedSubject) {
  EXPECT_EQ(ordered({{"b", 3, "", ""}, {"a", 2, "", ""}, {"Re: b", 1, "", ""}, {"A", 4, "", ""}}), "(3 1)(2 4)");
  EXPECT_EQ(ordered({{"x", 5, "", ""}, {"Fwd: x", 1, "", ""}, {"[l] x", 3, "", ""}}), "(2 (3)(1))");
  EXPECT_EQ(ordered({{"x", 1, "", ""}, {"y", 1, "", ""}}), "(1)(2)");  // equal dates: sequence order
  EXPECT_EQ(ordered({}), "");
}

TEST(ThreadTest, ReferencesLinksChains) {
  // Step 1: References chains; step 6: siblings by date.
  EXPECT_EQ(refs({{"a", 1, "<a@x>", ""},
                  {"Re: a", 2, "<b@x>", "<a@x>"},
                  {"Re: a", 4, "<c@x>", "<a@x> <b@x>"},
                  {"Re: a", 3, "<d@x>", "<a@x>"}}),
            "(1 (2 3)(4))");
  // A truncated References header: the last reference is the parent (1B).
  EXPECT_EQ(refs({{"a", 1, "<a@x>", ""}, {"b", 2, "<b@x>", "<a@x>"}, {"c", 3, "<c@x>", "<b@x>"}}), "(1 2 3)");
}

TEST(ThreadTest, ReferencesDummies) {
  // Step 3: a missing parent with two children stays at the top (a dummy)...
  EXPECT_EQ(refs({{"x", 1, "<b@x>", "<a@x>"}, {"y", 2, "<c@x>", "<a@x>"}}), "((1)(2))");
  // ... with one child it is dropped; below the top its children move up.
  EXPECT_EQ(refs({{"x", 1, "<b@x>", "<a@x>"}}), "(1)");
  EXPECT_EQ(refs({{"r", 1, "<r@x>", ""}, {"x", 2, "<b@x>", "<r@x> <gone@x>"}, {"y", 3, "<c@x>", "<r@x> <gone@x>"}}),
            "(1 (2)(3))");
  // Step 4: a dummy sorts by its earliest child.
  EXPECT_EQ(refs({{"z", 5, "<z@x>", ""}, {"x", 4, "<b@x>", "<a@x>"}, {"y", 3, "<c@x>", "<a@x>"}}), "((3)(2))(1)");
}

TEST(ThreadTest, ReferencesMergesSubjects) {
  // Step 5: a reply joins the thread of the same base subject...
  EXPECT_EQ(refs({{"Hello", 1, "<a@x>", ""}, {"Re: Hello", 2, "<b@x>", ""}}), "(1 2)");
  EXPECT_EQ(refs({{"Re: Hello", 1, "<b@x>", ""}, {"Hello", 2, "<a@x>", ""}}), "(2 1)");
  // ... two non-replies (or two replies) become siblings under a dummy.
  EXPECT_EQ(refs({{"Hello", 1, "<a@x>", ""}, {"hello", 2, "<b@x>", ""}}), "((1)(2))");
  EXPECT_EQ(refs({{"Re: Hello", 1, "<a@x>", ""}, {"Fwd: hello", 2, "<b@x>", ""}, {"Re: Hello", 3, "<c@x>", ""}}),
            "((1)(2)(3))");
  // A dummy in the table takes the others as children.
  EXPECT_EQ(refs({{"Topic", 1, "<b@x>", "<gone@x>"}, {"Re: Topic", 2, "<c@x>", "<gone@x>"}, {"Topic", 3, "<d@x>", ""}}),
            "((1)(2)(3))");
  // Empty subjects are never merged.
  EXPECT_EQ(refs({{"", 1, "<a@x>", ""}, {"Re:", 2, "<b@x>", ""}}), "(1)(2)");
}

TEST(ThreadTest, ReferencesSurvivesLoopsAndDuplicates) {
  // A loop: each says it answers the other. The link that would close the
  // loop is not made.
  EXPECT_EQ(refs({{"a", 1, "<a@x>", "<b@x>"}, {"b", 2, "<b@x>", "<a@x>"}}), "(2 1)");
  EXPECT_EQ(refs({{"a", 1, "<a@x>", "<a@x>"}}), "(1)");  // refers to itself
  EXPECT_EQ(refs({{"a", 1, "<a@x>", "<a@x> <b@x> <a@x>"}}), "(1)");
  // A duplicate Message-ID belongs to the first message only.
  EXPECT_EQ(refs({{"a", 1, "<a@x>", ""}, {"b", 2, "<a@x>", ""}, {"c", 3, "<c@x>", "<a@x>"}}), "(1 3)(2)");
  // No Message-ID at all.
  EXPECT_EQ(refs({{"a", 1, "", ""}, {"b", 2, "", "<zz@x>"}}), "(1)(2)");
}

TEST(ThreadTest, DeepChainsDoNotRecurse) {
  std::vector<ThreadMessage> m;
  for (uint32_t i = 1; i <= 50000; ++i) {
    ThreadMessage t;
    t.seq = t.number = i;
    t.sent = i;
    t.base_subject = "s";
    t.message_id = "m" + std::to_string(i) + "@x";
    if (i > 1) t.references = {"m" + std::to_string(i - 1) + "@x"};
    m.push_back(std::move(t));
  }
  std::string out = render_threads(thread_references(m));
  EXPECT_TRUE(out.starts_with("(1 2 3 4 5 ")) << out.substr(0, 40);
  EXPECT_TRUE(out.ends_with(" 49999 50000)"));
}

}  // namespace
}  // namespace postern::imap
