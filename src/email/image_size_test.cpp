// An image's real size comes from its header, whatever box the email shows it in.
#include "email/image_size.h"

#include <gtest/gtest.h>

#include <string>

namespace tandem::email {
namespace {

std::string BigEndian32(uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
          static_cast<char>(v)};
}

// A PNG's signature and header chunk: all a size needs.
std::string PngHeader(uint32_t width, uint32_t height) {
  std::string png = "\x89PNG\r\n\x1a\n";
  png += BigEndian32(13) + "IHDR" + BigEndian32(width) + BigEndian32(height);
  png += std::string("\x08\x06\x00\x00\x00", 5);  // 8-bit RGBA, no interlace
  png += BigEndian32(0);                          // CRC (not checked for the size)
  return png;
}

std::string GifHeader(uint16_t width, uint16_t height) {
  std::string gif = "GIF89a";
  gif += static_cast<char>(width & 0xff);
  gif += static_cast<char>(width >> 8);
  gif += static_cast<char>(height & 0xff);
  gif += static_cast<char>(height >> 8);
  gif += std::string("\x00\x00\x00", 3);
  return gif;
}

TEST(ImageSizeTest, ReadsPngAndGifSizesFromTheirHeaders) {
  auto png = ImageSizeOf(PngHeader(900, 300));
  ASSERT_TRUE(png.has_value());
  EXPECT_EQ(png->width, 900);
  EXPECT_EQ(png->height, 300);
  auto gif = ImageSizeOf(GifHeader(600, 80));
  ASSERT_TRUE(gif.has_value());
  EXPECT_EQ(gif->width, 600);
  EXPECT_EQ(gif->height, 80);
}

TEST(ImageSizeTest, BytesThatAreNotAnImageHaveNoSize) {
  EXPECT_FALSE(ImageSizeOf("").has_value());
  EXPECT_FALSE(ImageSizeOf("<html>not found</html>").has_value());
  EXPECT_FALSE(ImageSizeOf(PngHeader(900, 300).substr(0, 12)).has_value());  // cut short
  EXPECT_FALSE(ImageSizeOf(PngHeader(0, 300)).has_value());
}

}  // namespace
}  // namespace tandem::email
