#include "identity/erased_address.h"

#include <gtest/gtest.h>

namespace tandem {
namespace {

TEST(ErasedAddressKey, IsTheSameForEveryWritingOfOneAddress) {
  const std::string key = ErasedAddressKey("secret", "Pat@Co.example");
  EXPECT_EQ(key.size(), 64u);
  EXPECT_EQ(key, ErasedAddressKey("secret", "  pat@co.EXAMPLE "));
  EXPECT_NE(key, ErasedAddressKey("secret", "pat2@co.example"));
}

TEST(ErasedAddressKey, DependsOnTheSecretAndNeverShowsTheAddress) {
  const std::string key = ErasedAddressKey("secret", "pat@co.example");
  EXPECT_NE(key, ErasedAddressKey("another secret", "pat@co.example"));
  EXPECT_EQ(key.find("pat"), std::string::npos);
}

TEST(ErasedAddressKey, IsEmptyForWhatIsNoAddress) {
  EXPECT_EQ(ErasedAddressKey("secret", "not an address"), "");
  EXPECT_EQ(ErasedAddressKey("secret", ""), "");
}

}  // namespace
}  // namespace tandem
