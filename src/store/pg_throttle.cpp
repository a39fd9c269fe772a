// PgStore: the sign-in throttle counters that every node shares
// (store/throttle_store.h). A failure is one upsert whose increment the
// database makes, so concurrent failures on several nodes all count.
#include <algorithm>
#include <string>
#include <vector>

#include "store/pg_impl.h"

namespace atm {

Result<std::vector<ThrottleCounter>> PgStore::GetThrottleCounters(const std::vector<std::string>& keys) {
  if (keys.empty()) return std::vector<ThrottleCounter>{};
  return impl_->Read("get throttle counters", [&](PgConnection& db) -> Result<std::vector<ThrottleCounter>> {
    return db.Query(
        "SELECT key, failures, last_failure, trusted_until FROM throttle_counters WHERE key = ANY($1) ORDER BY key",
        [](PgRow& row) {
          ThrottleCounter c;
          c.key = row.Text();
          c.failures = static_cast<int>(row.Int());
          c.last_failure = row.Int();
          c.trusted_until = row.Int();
          return c;
        },
        PgTextArray{keys});
  });
}

Status PgStore::AddThrottleFailures(const std::vector<std::string>& keys, int64_t now, int64_t forget_after) {
  if (keys.empty()) return Ok();
  // Each key once (an upsert may not touch a row twice), in one order on
  // every node, so that two upserts of the same keys lock them in turn
  // rather than deadlock.
  PgTextArray sorted{keys};
  std::sort(sorted.items.begin(), sorted.items.end());
  sorted.items.erase(std::unique(sorted.items.begin(), sorted.items.end()), sorted.items.end());
  return impl_->Run("add throttle failures", [&](PgConnection& db) -> Status {
    db.Exec(
        "INSERT INTO throttle_counters AS t (key, failures, last_failure) SELECT k, 1, $2 FROM unnest($1) AS k "
        "ON CONFLICT (key) DO UPDATE SET "
        "failures = CASE WHEN t.last_failure <= $2 - $3 THEN 1 ELSE t.failures + 1 END, last_failure = $2",
        sorted, now, forget_after);
    return Ok();
  });
}

Status PgStore::TrustThrottleKey(const std::string& key, int64_t trusted_until) {
  return impl_->Run("trust throttle key", [&](PgConnection& db) -> Status {
    db.Exec(
        "INSERT INTO throttle_counters AS t (key, failures, trusted_until) VALUES ($1, 0, $2) "
        "ON CONFLICT (key) DO UPDATE SET failures = 0, trusted_until = $2",
        key, trusted_until);
    return Ok();
  });
}

Status PgStore::PurgeThrottle(int64_t now, int64_t forget_after) {
  return impl_->Run("purge throttle counters", [&](PgConnection& db) -> Status {
    db.Exec("DELETE FROM throttle_counters WHERE last_failure <= $1 - $2 AND trusted_until <= $1", now, forget_after);
    return Ok();
  });
}

Status PgStore::ClearThrottle() {
  return impl_->Run("clear throttle counters", [&](PgConnection& db) -> Status {
    db.Exec("DELETE FROM throttle_counters");
    return Ok();
  });
}

}  // namespace atm
