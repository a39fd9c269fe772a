#include "domain/seed.h"

#include <algorithm>
#include <cctype>

namespace atm {
namespace {

// The audit trail names the config file as the author of what seeding creates.
const Actor kSeedActor{"config", ""};

Error SeedError(size_t app_index, const std::string& where, const Error& e) {
  std::string key = "applications[" + std::to_string(app_index) + "]" + where;
  if (!e.field.empty()) key += "." + e.field;
  return Error(ErrorCode::kInvalidConfig, key + ": " + e.description);
}

bool SameEmail(const std::string& a, const std::string& b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

Result<SeedReport> SeedFromConfig(const std::vector<SeedApplication>& apps, ClientService& clients,
                                  UserService& users) {
  SeedReport report;
  for (size_t i = 0; i < apps.size(); ++i) {
    const SeedApplication& a = apps[i];
    std::string client_id = a.client_id;
    bool exists = false;
    if (!client_id.empty()) {
      auto found = clients.Get(client_id);
      exists = found.ok();
      if (!found && !found.error().Is(ErrorCode::kNotFound)) return found.error();
    } else {
      // Without a client_id the name identifies the seeded application.
      for (int64_t offset = 0;; offset += 500) {
        auto page = clients.List({offset, 500});
        if (!page) return page.error();
        for (const auto& c : *page) {
          if (c.name == a.name) {
            client_id = c.id;
            exists = true;
          }
        }
        if (exists || page->size() < 500) break;
      }
    }
    if (!exists) {
      auto created = clients.Create({a.name, a.client_id, a.client_secret, a.redirect_urls, a.is_public, a.web_origins,
                                     a.post_logout_redirect_urls, a.device_grant},
                                    kSeedActor);
      if (created) {
        client_id = created->record.id;
        ++report.applications_created;
        if (a.client_secret.empty() && !a.is_public) {
          report.generated_secrets.emplace_back(client_id, created->client_secret);
        }
      } else if (!(created.error().Is(ErrorCode::kConflict) && created.error().field == "client_id" &&
                   !a.client_id.empty())) {
        return SeedError(i, "", created.error());
      }
      // else another node, starting at the same moment on the same database, created it: it exists as declared.
    }
    report.client_ids.push_back(client_id);
    for (size_t j = 0; j < a.users.size(); ++j) {
      const SeedUser& u = a.users[j];
      auto user = users.Create(
          {client_id, u.email, u.password, u.password_hash, u.first_name, u.last_name, u.claims, u.id}, kSeedActor);
      if (user) {
        ++report.users_created;
      } else if (!user.error().Is(ErrorCode::kConflict)) {
        return SeedError(i, ".users[" + std::to_string(j) + "]", user.error());
      } else if (user.error().field == "id") {
        // A fixed id is this user's from an earlier start, or another user's.
        auto holder = users.Get(u.id);
        if (holder && (holder->client_id != client_id || !SameEmail(holder->email, u.email))) {
          return SeedError(i, ".users[" + std::to_string(j) + "]",
                           Error(ErrorCode::kConflict, "the id " + u.id + " is another user's", "id"));
        }
      }
    }
  }
  return report;
}

}  // namespace atm
