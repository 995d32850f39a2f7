// Request bodies tests need that no well-behaved client sends: gzip-compressed,
// absurdly nested.
#pragma once

#include <zlib.h>

#include <string>

namespace tandem::testing {

inline std::string Gzip(const std::string& in) {
  z_stream s{};
  deflateInit2(&s, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&s, in.size()), '\0');
  s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  s.avail_in = static_cast<uInt>(in.size());
  s.next_out = reinterpret_cast<Bytef*>(out.data());
  s.avail_out = static_cast<uInt>(out.size());
  deflate(&s, Z_FINISH);
  out.resize(s.total_out);
  deflateEnd(&s);
  return out;
}

// A track message whose properties nest `depth` objects deep.
inline std::string NestedTrack(int depth) {
  std::string s = R"({"userId":"u","event":"E","properties":)";
  for (int i = 0; i < depth; ++i) s += "{\"a\":";
  s += "1";
  for (int i = 0; i < depth; ++i) s += "}";
  return s + "}";
}

}  // namespace tandem::testing
