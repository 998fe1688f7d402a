#include "blackout/base/status.h"

#include <gtest/gtest.h>

namespace blackout {
namespace {

Result<int> Half(int x) {
  if (x % 2) return DataLoss("odd");
  return x / 2;
}

Result<int> Quarter(int x) {
  BLACKOUT_ASSIGN_OR_RETURN(int h, Half(x));
  return Half(h);
}

TEST(StatusTest, OkAndErrors) {
  EXPECT_TRUE(Status::Ok().ok());
  Status s = DataLoss("record too short").WithLocation({"a.mrt", 12, 3, {}});
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
  EXPECT_EQ(s.ToString(), "a.mrt: offset 12 record 3: record too short");
}

TEST(StatusTest, ResultPropagates) {
  EXPECT_EQ(*Quarter(8), 2);
  EXPECT_FALSE(Quarter(6).ok());
  EXPECT_EQ(Quarter(6).status().message(), "odd");
  EXPECT_EQ(Half(3).value_or(-1), -1);
}

TEST(StatusTest, ResultFromOkStatusIsAnError) {
  Result<int> r{Status::Ok()};
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInternal);
}

}  // namespace
}  // namespace blackout
