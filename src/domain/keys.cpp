#include "domain/keys.h"

#include <sys/resource.h>

#include <chrono>

#include "core/log.h"

namespace atm {
namespace {

// Whether a stored key signs at `now`: made, and not yet retired (a replaced
// key signs until its successor's created_at, KeyPolicy::activate_after).
bool SignsAt(const KeyRecord& rec, int64_t now) {
  return rec.created_at <= now && (rec.retired_at == 0 || rec.retired_at > now);
}

}  // namespace

KeyService::KeyService(KeyStore& store, const Clock& clock, KeyPolicy policy)
    : store_(store), clock_(clock), policy_(std::move(policy)), set_(std::make_shared<KeySet>()) {}

KeyService::~KeyService() {
  if (policy_.cancel_generation_on_stop) stopping_ = true;
  if (generator_.joinable()) generator_.join();
}

std::shared_ptr<const KeyService::KeySet> KeyService::Snapshot() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return set_;
}

void KeyService::Publish(std::shared_ptr<const KeySet> set) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    set_ = std::move(set);
  }
  ready_.notify_all();
}

Status KeyService::Start() {
  if (auto s = EncryptStoredKeys(); !s) return s;
  return Load(MissingKey::kGenerateInBackground);
}

Status KeyService::StartSync() {
  if (auto s = EncryptStoredKeys(); !s) return s;
  return Load(MissingKey::kGenerateNow);
}

Status KeyService::LoadPublished() {
  auto set = ReadKeySet();
  if (!set) return set.error();
  Publish(std::move(*set));
  return Ok();
}

Status KeyService::EncryptStoredKeys() {
  if (!policy_.encryption) return Ok();
  auto keys = store_.ListKeys();
  if (!keys) return keys.error();
  int encrypted = 0;
  for (const auto& rec : *keys) {
    if (SecretBox::IsSealed(rec.private_pem)) continue;
    auto s = store_.UpdateKeyPem(rec.kid, policy_.encryption->Seal(rec.private_pem, rec.kid));
    if (!s) return s;
    ++encrypted;
  }
  if (encrypted > 0) Log(LogLevel::kInfo, "keys: encrypted " + std::to_string(encrypted) + " stored signing keys");
  return Ok();
}

Result<std::string> KeyService::PrivatePem(const KeyRecord& rec) const {
  if (!SecretBox::IsSealed(rec.private_pem)) return rec.private_pem;
  if (!policy_.encryption) {
    return Error(ErrorCode::kInvalidConfig,
                 "the signing keys in the database are encrypted: set ATM_KEY_ENCRYPTION_KEY "
                 "or keys.encryption_key_file to the key they were encrypted with");
  }
  auto pem = policy_.encryption->Open(rec.private_pem, rec.kid);
  if (!pem) {
    return Error(ErrorCode::kInvalidConfig, "cannot decrypt signing key " + rec.kid +
                                                ": the key-encryption key is not the one it was encrypted with");
  }
  return pem;
}

Status KeyService::Load(MissingKey missing) {
  if (auto v = store_.DataVersion()) data_version_ = *v;
  if (auto s = StoreKeyFile(); !s) return s;
  auto set = ReadKeySet();
  if (!set) return set.error();
  const bool have_key = (*set)->current != nullptr;
  Publish(std::move(*set));
  if (have_key) return Ok();
  if (missing == MissingKey::kError) return ServerError("the new signing key could not be loaded");
  if (missing == MissingKey::kGenerateNow) {
    return Rotate("startup").ok() ? Ok() : Status(ServerError("key generation failed"));
  }
  GenerateInBackground();
  return Ok();
}

Status KeyService::StoreKeyFile() {
  if (policy_.key_file_pem.empty()) return Ok();
  auto key = SigningKey::FromPem(policy_.key_file_pem);
  if (!key) return Error(ErrorCode::kInvalidConfig, "keys.key_file: " + key.error().description);
  if ((*key)->alg() != policy_.alg) {
    return Error(ErrorCode::kInvalidConfig, "keys.key_file: the key is for " + JwsAlgName((*key)->alg()) +
                                                " but keys.algorithm is " + JwsAlgName(policy_.alg));
  }
  auto keys = store_.ListKeys();
  if (!keys) return keys.error();
  for (const auto& k : *keys) {
    if (k.kid == (*key)->kid() && k.retired_at == 0) return Ok();
  }
  const std::string head = !keys->empty() && keys->front().retired_at == 0 ? keys->front().kid : "";
  if (auto installed = CreateKey(std::move(*key), "config", head, clock_.Now()); !installed) {
    return installed.error();
  }
  return Ok();
}

Result<std::shared_ptr<const KeyService::KeySet>> KeyService::ReadKeySet() {
  auto keys = store_.ListKeys();
  if (!keys) return keys.error();
  auto set = std::make_shared<KeySet>();
  const int64_t now = clock_.Now();
  nlohmann::json jwks = {{"keys", nlohmann::json::array()}};
  if (!keys->empty() && keys->front().retired_at == 0) set->head_kid = keys->front().kid;
  for (const auto& rec : *keys) {  // newest first
    const bool live = rec.retired_at == 0 || rec.retired_at + policy_.retain_retired > now;
    if (!live) continue;
    auto pem = PrivatePem(rec);
    if (!pem) return pem.error();
    auto key = SigningKey::FromPem(*pem);
    if (!key) {
      Log(LogLevel::kError, "keys: cannot load key " + rec.kid + ": " + key.error().description);
      continue;
    }
    std::shared_ptr<const SigningKey> shared(std::move(*key));
    if (SignsAt(rec, now) && !set->current && shared->alg() == policy_.alg) {
      set->current = shared;
      set->current_created_at = rec.created_at;
    }
    if (rec.created_at > now && (set->next_activation_at == 0 || rec.created_at < set->next_activation_at)) {
      set->next_activation_at = rec.created_at;
    }
    set->published[rec.kid] = shared;
    jwks["keys"].push_back(shared->PublicJwk());
  }
  set->jwks = std::make_shared<const std::string>(jwks.dump());
  return std::shared_ptr<const KeySet>(std::move(set));
}

void KeyService::GenerateInBackground() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (generating_) return;  // the generation under way publishes a key
    generating_ = true;
    generate_error_.clear();
  }
  // An earlier generation's thread has finished its work: it only returns.
  if (generator_.joinable()) generator_.join();
  generator_ = std::thread([this] {
    // Start-up and requests come first: on Linux the nice value is per
    // thread, so this lowers only the generator's (RSA-2048: ~0.1-0.4 s of
    // CPU that would otherwise compete with the listening socket's set-up).
    setpriority(PRIO_PROCESS, 0, 10);
    auto kid = Rotate("startup");
    std::lock_guard<std::mutex> lock(mutex_);
    if (!kid) generate_error_ = kid.error().description;
    generating_ = false;
    ready_.notify_all();
  });
}

Result<bool> KeyService::CreateKey(std::unique_ptr<SigningKey> key, const std::string& by, const std::string& expected,
                                   int64_t signs_from) {
  KeyRecord rec;
  rec.kid = key->kid();
  rec.alg = JwsAlgName(key->alg());
  rec.private_pem = policy_.encryption ? policy_.encryption->Seal(key->PrivatePem(), rec.kid) : key->PrivatePem();
  rec.created_at = signs_from;
  AuditEvent event = NewAuditEvent(audit_kind::kKeyRotate, Actor{by, ""}, rec.created_at);
  event.subject = rec.kid;
  event.detail = nlohmann::json{{"alg", rec.alg}}.dump();
  return store_.InstallSigningKey(rec, expected, &event);
}

int64_t KeyService::next_rotation_at() const {
  const int64_t created = current_created_at();
  if (policy_.rotate_every <= 0 || created == 0) return 0;
  return created + policy_.rotate_every;
}

Result<std::string> KeyService::Rotate(const std::string& by) {
  std::lock_guard<std::mutex> lock(rotate_mutex_);
  auto key = SigningKey::Generate(policy_.alg, &stopping_);
  if (!key) return key.error();
  const std::string kid = (*key)->kid();
  std::string expected = Snapshot()->head_kid;
  if (by != "schedule" && by != "startup") {  // an administrator's: replace whatever is there now
    auto keys = store_.ListKeys();
    if (!keys) return keys.error();
    expected = !keys->empty() && keys->front().retired_at == 0 ? keys->front().kid : "";
  }
  const int64_t now = clock_.Now();
  const int64_t signs_from = expected.empty() ? now : now + policy_.activate_after;
  auto installed = CreateKey(std::move(*key), by, expected, signs_from);
  if (!installed) return installed.error();
  if (auto s = Load(MissingKey::kError); !s) return s.error();
  if (!*installed) {
    Log(LogLevel::kInfo, "keys: another process installed a signing key first; now using it");
    return Snapshot()->head_kid;
  }
  if (signs_from > now) {
    Log(LogLevel::kInfo, "keys: published " + kid + " (" + JwsAlgName(policy_.alg) + "); it signs from " +
                             std::to_string(signs_from - now) + " s from now, once every node publishes it");
  } else {
    Log(LogLevel::kInfo, "keys: now signing with " + kid + " (" + JwsAlgName(policy_.alg) + ")");
  }
  return kid;
}

Result<std::shared_ptr<const SigningKey>> KeyService::Current() {
  std::unique_lock<std::mutex> lock(mutex_);
  ready_.wait_for(lock, std::chrono::seconds(10),
                  [this] { return set_->current != nullptr || !generate_error_.empty(); });
  if (!set_->current) {
    return Error(ErrorCode::kTemporarilyUnavailable, "the signing key is not ready yet");
  }
  return set_->current;
}

std::shared_ptr<const SigningKey> KeyService::Find(const std::string& kid) {
  if (auto key = FindPublished(kid)) return key;
  return ReloadIfChanged() ? FindPublished(kid) : nullptr;
}

std::shared_ptr<const SigningKey> KeyService::FindPublished(const std::string& kid) const {
  auto set = Snapshot();
  auto it = set->published.find(kid);
  return it == set->published.end() ? nullptr : it->second;
}

bool KeyService::ReloadIfChanged() {
  const int64_t now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
          .count();
  int64_t last = last_unknown_kid_check_ms_.load();
  if (now_ms - last < 1000 || !last_unknown_kid_check_ms_.compare_exchange_strong(last, now_ms)) return false;
  auto version = store_.DataVersion();
  if (!version || *version == data_version_) return false;
  std::lock_guard<std::mutex> lock(rotate_mutex_);
  return Load(MissingKey::kGenerateInBackground).ok();
}

KeyLookup KeyService::Lookup() {
  return [this](const std::string& kid) { return Find(kid); };
}

std::shared_ptr<const std::string> KeyService::JwksJson() const { return Snapshot()->jwks; }

Status KeyService::Maintain() {
  auto version = store_.DataVersion();
  if (!version) return version.error();
  const int64_t now = clock_.Now();
  if (*version != data_version_) {
    // Another process changed the keys (a rotation on another node): load
    // them first, so that a rotation already made is not made again.
    std::lock_guard<std::mutex> lock(rotate_mutex_);
    if (auto s = Load(MissingKey::kGenerateInBackground); !s) return s;
  }
  auto set = Snapshot();
  // A key published ahead of signing (activate_after) reaches its time.
  const bool activation_due = set->next_activation_at != 0 && set->next_activation_at <= now;
  if (policy_.rotate_every > 0 && set->current && set->next_activation_at == 0 &&
      set->current_created_at + policy_.rotate_every <= now) {
    if (auto kid = Rotate("schedule"); !kid) return kid.error();
    return Ok();
  }
  // Drop retired keys past their retention, and pick up other processes'
  // changes. One reload or rotation at a time: a reload that read the keys
  // before a concurrent rotation committed must not publish after it (the
  // server would go on signing with the key just retired).
  std::lock_guard<std::mutex> lock(rotate_mutex_);
  auto keys = store_.ListKeys();
  if (!keys) return keys.error();
  bool changed = *version != data_version_ || activation_due;
  for (const auto& rec : *keys) {
    if (rec.retired_at != 0 && rec.retired_at + policy_.retain_retired <= now) {
      if (auto s = store_.DeleteKey(rec.kid); !s) return s;
      changed = true;
    }
  }
  if (changed) return Load(MissingKey::kGenerateInBackground);
  return Ok();
}

Result<std::vector<KeyInfo>> KeyService::List() {
  auto keys = store_.ListKeys();
  if (!keys) return keys.error();
  const int64_t now = clock_.Now();
  std::vector<KeyInfo> out;
  for (const auto& rec : *keys) {
    KeyInfo info;
    info.kid = rec.kid;
    info.alg = rec.alg;
    info.created_at = rec.created_at;
    info.retired_at = rec.retired_at;
    info.current = SignsAt(rec, now);
    info.published_until = rec.retired_at == 0 ? 0 : rec.retired_at + policy_.retain_retired;
    info.published = rec.retired_at == 0 || info.published_until > now;
    out.push_back(std::move(info));
  }
  return out;
}

}  // namespace atm
