// Golden files for the MIME structure cache as IMAP sees it:
// tests/data/mime/<name>.eml is parsed, cached (encode → decode) and
// rendered; <name>.expected holds the ENVELOPE, BODY and BODYSTRUCTURE
// lines (RFC 9051 §7.5.2) and any number of BODY[section] lines (RFC 9051
// §6.4.5) whose data is checked too. CR and LF in rendered output are
// written as \r and \n. Run with POSTERN_UPDATE_GOLDEN=1 to rewrite the
// .expected files (keeping their BODY[...] lines), then review the diff.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "imap/proto/fetch_args.hpp"
#include "imap/render/bodystructure.hpp"
#include "imap/render/envelope.hpp"
#include "imap/render/section.hpp"
#include "mime/structure_codec.hpp"

namespace postern::imap {
namespace {

namespace fs = std::filesystem;

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '\r') out += "\\r";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (!line.empty() && line[0] != '#') out.push_back(line);
  return out;
}

// "BODY[1.2.MIME] <escaped data>" or "BODY[9] NIL" for no such section.
std::string section_line(std::string_view message, const mime::MessageStructure& s, const std::string& name) {
  auto item = parse_fetch_item(name);
  if (!item) return name + " BAD " + item.error().message;
  auto bytes = section_bytes(message, s, item->section);
  return name + " " + (bytes ? escape(bytes->data()) : "NIL");
}

class Golden : public ::testing::TestWithParam<std::string> {};

TEST_P(Golden, RendersAsExpected) {
  fs::path dir = fs::path(POSTERN_TEST_DATA) / "mime";
  std::string message = read_file(dir / (GetParam() + ".eml"));
  fs::path expected_path = dir / (GetParam() + ".expected");
  auto parsed = mime::parse_message_structure(message);
  // Render from the cache, as FETCH will.
  auto decoded = mime::decode_structure(mime::encode_structure(parsed));
  ASSERT_TRUE(decoded) << decoded.error().message;
  ASSERT_EQ(*decoded, parsed);
  const auto& s = *decoded;

  std::vector<std::string> got{
      "ENVELOPE " + escape(render_envelope(s.envelope)),
      "BODY " + escape(render_bodystructure(s.root, false)),
      "BODYSTRUCTURE " + escape(render_bodystructure(s.root, true)),
  };
  auto expected = lines_of(read_file(expected_path));
  for (const auto& line : expected) {
    if (line.rfind("BODY[", 0) != 0) continue;
    got.push_back(section_line(message, s, line.substr(0, line.find("] ") + 1)));
  }
  if (std::getenv("POSTERN_UPDATE_GOLDEN")) {
    std::ofstream out(expected_path, std::ios::binary);
    for (const auto& g : got) out << g << "\n";
    return;
  }
  ASSERT_EQ(expected.size(), got.size()) << expected_path;
  for (size_t i = 0; i < got.size(); ++i) EXPECT_EQ(expected[i], got[i]) << expected_path;
}

std::vector<std::string> golden_names() {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(fs::path(POSTERN_TEST_DATA) / "mime"))
    if (e.path().extension() == ".eml") names.push_back(e.path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

INSTANTIATE_TEST_SUITE_P(Mime, Golden, ::testing::ValuesIn(golden_names()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace postern::imap
