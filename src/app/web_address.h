// Where a person opens the web app, for what the server and the demo print.
#pragma once

#include <cstdint>
#include <string>

#include "config/config.h"

namespace tandem {

// The public URL, else the address listened on (a wildcard one as this machine's
// loopback) with `port`, always ending in "/": "http://127.0.0.1:8080/".
std::string WebAddress(const ServerConfig& server, uint16_t port);

}  // namespace tandem
