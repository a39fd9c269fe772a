// The store's token rules, on every backend ([backend]): single-use expiring codes, refresh rotation
// with reuse detection, cross-client refusal, cascades on deletion, purging.
#include <catch2/catch.hpp>
#include <string>

#include "store/sqlite_store.h"
#include "support/store_records.h"

namespace atm {
using namespace atm::testing;

TEST_CASE("a code is read unspent, then spent once with its grant", "[store][backend]") {
  auto s = Seeded();
  REQUIRE(s->SaveCode(Code("h1", "c1", "u1", kNow + 60)).ok());
  auto found = s->FindUnusedCode("h1", kNow);
  REQUIRE(found.ok());
  CHECK(found->client_id == "c1");
  CHECK(found->user_id == "u1");
  CHECK(found->challenge == "challenge");
  CHECK(found->method == "S256");
  CHECK(s->FindUnusedCode("h1", kNow).ok());  // reading does not spend it
  REQUIRE(s->RedeemCode("h1", kNow, Grant("g1", "c1", "u1"), Refresh("r1", "g1", "c1", "u1")).ok());
  CHECK(s->GetGrant("g1")->has_value());
  CHECK(s->GetLiveRefresh("r1", kNow)->has_value());
  CHECK(s->FindUnusedCode("h1", kNow).error().Is(ErrorCode::kCodeUsed));
  CHECK(s->FindUnusedCode("unknown", kNow).error().Is(ErrorCode::kInvalidGrant));
  CHECK(s->SpendCode("unknown", kNow).error().Is(ErrorCode::kInvalidGrant));
}

TEST_CASE("a code expires at its expiry time", "[store][backend]") {
  auto s = Seeded();
  REQUIRE(s->SaveCode(Code("h1", "c1", "u1", kNow + 60)).ok());
  REQUIRE(s->SaveCode(Code("h2", "c1", "u1", kNow + 60)).ok());
  CHECK(s->FindUnusedCode("h1", kNow + 59).ok());
  auto late = s->FindUnusedCode("h2", kNow + 60);
  REQUIRE_FALSE(late.ok());
  CHECK(late.error().Is(ErrorCode::kCodeExpired));  // counted by CodeService, invalid_grant on the wire
  CHECK(late.error().wire_name() == "invalid_grant");
  CHECK(late.error().description.find("expired") != std::string::npos);
  // Checked in time, redeemed too late (signing took long): refused, nothing kept.
  auto redeemed = s->RedeemCode("h1", kNow + 60, Grant("g1", "c1", "u1"), Refresh("r1", "g1", "c1", "u1"));
  REQUIRE_FALSE(redeemed.ok());
  CHECK(redeemed.error().description.find("expired") != std::string::npos);
  CHECK_FALSE(s->GetGrant("g1")->has_value());
}

TEST_CASE("replaying a redeemed code revokes the grant it issued (RFC 6749 §4.1.2)", "[store][backend]") {
  auto s = Seeded();
  REQUIRE(s->SaveCode(Code("h1", "c1", "u1", kNow + 60)).ok());
  REQUIRE(s->RedeemCode("h1", kNow, Grant("g1", "c1", "u1"), Refresh("r1", "g1", "c1", "u1")).ok());
  auto replay = s->SpendCode("h1", kNow + 1);
  REQUIRE_FALSE(replay.ok());
  CHECK(replay.error().Is(ErrorCode::kInvalidGrant));
  CHECK(replay.error().description.find("already used") != std::string::npos);
  CHECK_FALSE(s->GetGrant("g1")->has_value());
  CHECK_FALSE(s->GetLiveRefresh("r1", kNow + 1)->has_value());
}

TEST_CASE("of two redemptions of one code, the second revokes the first and keeps nothing", "[store][backend]") {
  // Both checked the code unspent and signed tokens; the second to commit
  // finds it spent: RFC 6749 §4.1.2 says revoke what the code issued.
  auto s = Seeded();
  REQUIRE(s->SaveCode(Code("h1", "c1", "u1", kNow + 60)).ok());
  REQUIRE(s->FindUnusedCode("h1", kNow).ok());
  REQUIRE(s->FindUnusedCode("h1", kNow).ok());
  REQUIRE(s->RedeemCode("h1", kNow, Grant("g1", "c1", "u1"), Refresh("r1", "g1", "c1", "u1")).ok());
  auto second = s->RedeemCode("h1", kNow, Grant("g2", "c1", "u1"), Refresh("r2", "g2", "c1", "u1"));
  REQUIRE_FALSE(second.ok());
  CHECK(second.error().Is(ErrorCode::kInvalidGrant));
  CHECK_FALSE(s->GetGrant("g1")->has_value());
  CHECK_FALSE(s->GetGrant("g2")->has_value());
  CHECK_FALSE(s->GetLiveRefresh("r2", kNow)->has_value());
}

TEST_CASE("a code spent by a failed check starts no grant", "[store][backend]") {
  auto s = Seeded();
  REQUIRE(s->SaveCode(Code("h1", "c1", "u1", kNow + 60)).ok());
  REQUIRE(s->SpendCode("h1", kNow).ok());
  CHECK_FALSE(s->RedeemCode("h1", kNow, Grant("g1", "c1", "u1"), Refresh("r1", "g1", "c1", "u1")).ok());
  CHECK_FALSE(s->GetGrant("g1")->has_value());
}

TEST_CASE("rotating a refresh token spends it and issues the next in the same grant", "[store][backend]") {
  auto s = Seeded();
  StartGrant(*s, Grant("g1", "c1", "u1"), Refresh("r1", "g1", "c1", "u1"));
  auto grant = s->RotateRefresh("r1", "c1", Refresh("r2", "", "c1", ""), kNow + 10);
  REQUIRE(grant.ok());
  CHECK(grant->id == "g1");
  CHECK(grant->user_id == "u1");
  CHECK_FALSE(s->GetLiveRefresh("r1", kNow + 10)->has_value());
  auto next = s->GetLiveRefresh("r2", kNow + 10);
  REQUIRE(next->has_value());
  CHECK((*next)->grant_id == "g1");  // taken from the old token, not the caller
  CHECK((*next)->user_id == "u1");
  CHECK(s->RotateRefresh("r2", "c1", Refresh("r3", "", "c1", ""), kNow + 20).ok());
}

TEST_CASE("presenting a spent refresh token revokes the whole grant (reuse detection)", "[store][backend]") {
  auto s = Seeded();
  StartGrant(*s, Grant("g1", "c1", "u1"), Refresh("r1", "g1", "c1", "u1"));
  REQUIRE(s->RotateRefresh("r1", "c1", Refresh("r2", "", "c1", ""), kNow).ok());
  auto reuse = s->RotateRefresh("r1", "c1", Refresh("r3", "", "c1", ""), kNow + 1);
  REQUIRE_FALSE(reuse.ok());
  CHECK(reuse.error().Is(ErrorCode::kRefreshReused));  // counted by TokenService, invalid_grant on the wire
  CHECK(reuse.error().wire_name() == "invalid_grant");
  CHECK(reuse.error().description.find("already used") != std::string::npos);
  CHECK_FALSE(s->GetGrant("g1")->has_value());
  CHECK_FALSE(s->GetLiveRefresh("r2", kNow + 1)->has_value());
  CHECK_FALSE(s->GetLiveRefresh("r3", kNow + 1)->has_value());
  CHECK(s->RotateRefresh("r2", "c1", Refresh("r4", "", "c1", ""), kNow + 2).error().Is(ErrorCode::kInvalidGrant));
}

TEST_CASE("another client's refresh token is refused and stays usable by its owner", "[store][backend]") {
  auto s = Seeded();
  StartGrant(*s, Grant("g1", "c1", "u1"), Refresh("r1", "g1", "c1", "u1"));
  auto stolen = s->RotateRefresh("r1", "c2", Refresh("r2", "", "c2", ""), kNow);
  REQUIRE_FALSE(stolen.ok());
  CHECK(stolen.error().Is(ErrorCode::kInvalidGrant));
  CHECK(stolen.error().description.find("another client") != std::string::npos);
  CHECK_FALSE(s->GetLiveRefresh("r2", kNow)->has_value());
  CHECK(s->RotateRefresh("r1", "c1", Refresh("r3", "", "c1", ""), kNow).ok());
}

TEST_CASE("an expired refresh token is refused", "[store][backend]") {
  auto s = Seeded();
  StartGrant(*s, Grant("g1", "c1", "u1"), Refresh("r1", "g1", "c1", "u1", kNow + 100));
  auto late = s->RotateRefresh("r1", "c1", Refresh("r2", "", "c1", ""), kNow + 100);
  REQUIRE_FALSE(late.ok());
  CHECK(late.error().description.find("expired") != std::string::npos);
  CHECK_FALSE(s->GetLiveRefresh("r1", kNow + 100)->has_value());
  CHECK(s->GetLiveRefresh("r1", kNow + 99)->has_value());
}

TEST_CASE("deleting a user deletes their grants, tokens and codes", "[store][backend]") {
  auto s = Seeded();
  StartGrant(*s, Grant("g1", "c1", "u1"), Refresh("r1", "g1", "c1", "u1"));
  REQUIRE(s->SaveCode(Code("h1", "c1", "u1", kNow + 60)).ok());
  REQUIRE(s->DeleteUser("u1").ok());
  CHECK_FALSE(s->GetUser("u1")->has_value());
  CHECK_FALSE(s->GetGrant("g1")->has_value());
  CHECK_FALSE(s->GetLiveRefresh("r1", kNow)->has_value());
  CHECK_FALSE(s->RotateRefresh("r1", "c1", Refresh("r2", "", "c1", ""), kNow).ok());
  CHECK_FALSE(s->FindUnusedCode("h1", kNow).ok());
  CHECK(s->DeleteUser("u1").error().Is(ErrorCode::kNotFound));
}

TEST_CASE("deleting an application deletes its users, grants and codes", "[store][backend]") {
  auto s = Seeded();
  StartGrant(*s, Grant("g1", "c1", "u1"), Refresh("r1", "g1", "c1", "u1"));
  REQUIRE(s->SaveCode(Code("h1", "c1", "u1", kNow + 60)).ok());
  REQUIRE(s->DeleteClient("c1").ok());
  CHECK_FALSE(s->GetUser("u1")->has_value());
  CHECK_FALSE(s->GetGrant("g1")->has_value());
  CHECK_FALSE(s->FindUnusedCode("h1", kNow).ok());
  CHECK(s->GetClient("c2")->has_value());
}

TEST_CASE("purging drops expired codes and tokens but keeps spent ones for reuse detection", "[store][backend]") {
  auto s = Seeded();
  REQUIRE(s->SaveCode(Code("old", "c1", "u1", kNow + 10)).ok());
  REQUIRE(s->SaveCode(Code("new", "c1", "u1", kNow + 1000)).ok());
  StartGrant(*s, Grant("g1", "c1", "u1"), Refresh("r1", "g1", "c1", "u1", kNow + 500));
  REQUIRE(s->RotateRefresh("r1", "c1", Refresh("r2", "", "c1", "", kNow + 500), kNow).ok());
  StartGrant(*s, Grant("g2", "c1", "u1"), Refresh("x1", "g2", "c1", "u1", kNow + 20));
  REQUIRE(s->PurgeExpired(kNow + 100).ok());
  CHECK(s->FindUnusedCode("old", kNow).error().description.find("invalid") != std::string::npos);
  CHECK(s->FindUnusedCode("new", kNow + 100).ok());
  // The spent r1 still triggers reuse detection after the purge.
  CHECK(
      s->RotateRefresh("r1", "c1", Refresh("r3", "", "c1", ""), kNow + 100).error().description.find("already used") !=
      std::string::npos);
  CHECK_FALSE(s->GetGrant("g1")->has_value());
  // A grant whose only token expired is gone.
  CHECK_FALSE(s->GetGrant("g2")->has_value());
}

}  // namespace atm
