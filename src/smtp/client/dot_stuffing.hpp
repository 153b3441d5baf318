// The DATA payload of a message (RFC 5321 §4.5.2): every line that starts
// with "." gets a second ".", bare LF line ends become CRLF, a last line
// without an ending is closed, and the terminating "." line is appended.
#pragma once

#include <string>
#include <string_view>

namespace postern::smtp::client {

std::string dot_stuff(std::string_view message);

}  // namespace postern::smtp::client
