// The store after a failed statement: a failure must not leak into the next,
// unrelated use of the same cached statement (found by tests/e2e/durability:
// after a full disk, the first write once there was room failed as well).
#include <catch2/catch.hpp>

#include "support/test_store.h"

namespace {

atm::ClientRecord Client(const std::string& id) {
  atm::ClientRecord c;
  c.id = id;
  c.name = "App " + id;
  c.redirect_urls = {"http://localhost/cb"};
  return c;
}

}  // namespace

TEST_CASE("a statement that failed works again on its next use", "[store][backend]") {
  auto store = atm::testing::OpenTestStore();
  REQUIRE(store->CreateClient(Client("first")).ok());
  auto duplicate = store->CreateClient(Client("first"));
  REQUIRE_FALSE(duplicate.ok());
  CHECK(duplicate.error().Is(atm::ErrorCode::kConflict));
  // The same INSERT statement, now with a new id.
  auto next = store->CreateClient(Client("second"));
  CHECK(next.ok());
  auto found = store->GetClient("second");
  REQUIRE(found.ok());
  CHECK(found->has_value());
}
