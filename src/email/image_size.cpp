#include "email/image_size.h"

#include <stb_image.h>

#include <climits>

namespace tandem::email {

std::optional<ImageSize> ImageSizeOf(std::string_view bytes) {
  if (bytes.empty() || bytes.size() > static_cast<size_t>(INT_MAX)) return std::nullopt;
  int width = 0, height = 0, channels = 0;
  // Reads the header only: the pixels of a large image are never decoded.
  if (stbi_info_from_memory(reinterpret_cast<const stbi_uc*>(bytes.data()),
                            static_cast<int>(bytes.size()), &width, &height, &channels) == 0 ||
      width <= 0 || height <= 0) {
    return std::nullopt;
  }
  return ImageSize{width, height};
}

}  // namespace tandem::email
