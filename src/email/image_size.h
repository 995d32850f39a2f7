// The real size of an image an email shows, read from its bytes (PNG, JPEG, GIF, BMP,
// and the other formats stb_image knows), without decoding its pixels.
#pragma once

#include <optional>
#include <string_view>

#include "email/lint.h"

namespace tandem::email {

// The width and height the bytes declare; nullopt when they are not an image stb_image
// knows or declare no size.
std::optional<ImageSize> ImageSizeOf(std::string_view bytes);

}  // namespace tandem::email
