// What the admin API and console depend on: the domain services and the
// config, passed by reference from the composition root (src/app.cpp).
#pragma once

#include "config/config.h"
#include "core/clock.h"
#include "domain/admins.h"
#include "domain/audit.h"
#include "domain/clients.h"
#include "domain/users.h"

namespace atm {

struct AdminDeps {
  const Config& config;
  const Clock& clock;
  ClientService& clients;
  UserService& users;
  AdminService& admins;
  AuditService& audit;
};

}  // namespace atm
