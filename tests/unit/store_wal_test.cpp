// WAL checkpoints run off the request path (store/wal_checkpointer.h): the
// log must still start over while writes keep coming, and what was written
// must survive the checkpoints.
#include <catch2/catch.hpp>

#include "support/store_records.h"

using namespace atm;
using namespace atm::testing;

TEST_CASE("the WAL starts over while writes keep coming, and nothing written is lost") {
  TempDb db;
  constexpr int kWrites = 30000;
  {
    auto store = db.Open();
    REQUIRE(store->CreateClient(Client("c1")).ok());
    REQUIRE(store->CreateUser(User("u1", "c1", "a@example.com")).ok());
    int restarts = 0;
    int64_t previous = 0;
    for (int i = 0; i < kWrites; ++i) {
      REQUIRE(store->SaveCode(Code("code-" + std::to_string(i), "c1", "u1", kNow + 60)).ok());
      REQUIRE(store->GetClient("c1").ok());  // a read between writes
      int64_t frames = store->WalFrames();
      if (frames < previous) ++restarts;
      previous = frames;
    }
    // 30,000 commits of a few pages each: without checkpoints that let the
    // WAL start over it would hold about 100,000 frames (400 MB) by now.
    CHECK(restarts >= 3);
  }
  auto reopened = db.Open();
  CHECK(reopened->IntegrityCheck().value() == "ok");
  for (int i : {0, kWrites / 2, kWrites - 1}) {
    CHECK(reopened->FindUnusedCode("code-" + std::to_string(i), kNow).ok());
  }
}
