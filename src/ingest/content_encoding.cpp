#include "ingest/content_encoding.h"

#include <fmt/format.h>
#include <zlib.h>

#include <algorithm>

namespace tandem {
namespace {

StatusOr<std::string> Inflate(std::string_view in, size_t max_bytes, int window_bits) {
  z_stream stream{};
  if (inflateInit2(&stream, window_bits) != Z_OK) return Internal("zlib initialization failed");
  std::string out;
  out.resize(std::min<size_t>(std::max<size_t>(in.size() * 4, 4096), max_bytes + 1));
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  stream.avail_in = static_cast<uInt>(in.size());
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    if (stream.total_out >= out.size()) {
      if (out.size() > max_bytes) break;
      out.resize(std::min(out.size() * 2, max_bytes + 1));
    }
    stream.next_out = reinterpret_cast<Bytef*>(out.data() + stream.total_out);
    stream.avail_out = static_cast<uInt>(out.size() - stream.total_out);
    rc = inflate(&stream, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) {
      if (rc == Z_BUF_ERROR && stream.avail_out == 0) continue;
      inflateEnd(&stream);
      return InvalidArgument("invalid_encoding", "the compressed body is corrupt or truncated");
    }
  }
  size_t total = stream.total_out;
  inflateEnd(&stream);
  if (rc != Z_STREAM_END || total > max_bytes) {
    return TooLarge("body_too_large",
                    fmt::format("the decompressed body exceeds the limit of {} bytes", max_bytes));
  }
  out.resize(total);
  return out;
}

}  // namespace

StatusOr<std::string> DecodeBody(std::string_view encoding, std::string body, size_t max_bytes) {
  if (encoding.empty() || encoding == "identity") {
    if (body.size() > max_bytes) {
      return TooLarge("body_too_large", fmt::format("the body is {} bytes; the limit is {} bytes",
                                                    body.size(), max_bytes));
    }
    return body;
  }
  if (encoding == "gzip" || encoding == "x-gzip") return Inflate(body, max_bytes, 15 + 16);
  if (encoding == "deflate") return Inflate(body, max_bytes, 15);
  return InvalidArgument(
      "unsupported_encoding",
      fmt::format("Content-Encoding \"{}\" is not supported (use gzip)", encoding));
}

}  // namespace tandem
