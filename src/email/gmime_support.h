// What mime.cpp and mime_parse.cpp share about GMime: its one-time initialization and
// ownership of its reference-counted objects. Internal to email/.
#pragma once

#include <gmime/gmime.h>

#include <memory>
#include <string>

namespace tandem::email::gmime {

// Initializes GMime once per process; safe to call from any thread, any number of times.
void EnsureInitialized();

struct ObjectUnref {
  void operator()(gpointer object) const {
    if (object != nullptr) g_object_unref(object);
  }
};
// Owns one reference to a GObject (a GMime message, part, stream, filter...).
template <typename T>
using Ref = std::unique_ptr<T, ObjectUnref>;

struct FreeFormatOptions {
  void operator()(GMimeFormatOptions* options) const { g_mime_format_options_free(options); }
};
using FormatOptions = std::unique_ptr<GMimeFormatOptions, FreeFormatOptions>;

// Bytes GLib allocated, owned until the end of the scope.
struct GFree {
  void operator()(gpointer p) const { g_free(p); }
};
using GChars = std::unique_ptr<char, GFree>;

// The bytes a memory stream holds.
std::string MemoryStreamBytes(GMimeStream* stream);

}  // namespace tandem::email::gmime
