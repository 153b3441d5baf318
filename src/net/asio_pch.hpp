// Precompiled header for net/ and server/: the Asio and Asio.SSL headers
// that dominate their compile time.
#pragma once
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
