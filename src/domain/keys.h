// Signing keys: the current key, the retired keys whose tokens may still be
// valid, the JWKS built from them (cached as bytes), rotation and expiry.
//
// Start-up never waits for key generation: Start() loads keys from the store
// and, when none fits the configured algorithm, generates one on a background
// thread (so does Maintain(), when a reload finds none). Current() waits for it
// (RSA-2048 takes a few hundred milliseconds), so the first token issued after
// a cold start may be that much slower.
#pragma once

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "crypto/jwt.h"
#include "crypto/secret_box.h"
#include "crypto/signing_key.h"
#include "domain/audit.h"
#include "store/key_store.h"

namespace atm {

struct KeyPolicy {
  JwsAlg alg = JwsAlg::kRS256;
  int64_t rotate_every = 0;    // seconds; 0 = never on a schedule
  int64_t retain_retired = 0;  // how long a retired key stays published
  std::string key_file_pem;    // when set, the signing key comes from this PEM
  // When set, private keys are stored encrypted with it (sealed with their
  // kid as additional data), and plaintext ones are encrypted at Start.
  const SecretBox* encryption = nullptr;
  // Whether a stop cancels a key generation in progress rather than wait for
  // it: for an in-memory database, where the key would not be kept anyway.
  bool cancel_generation_on_stop = false;
  // Seconds a key that replaces another is published before it signs: with
  // several nodes on one database, every node publishes it in its JWKS (and
  // verifies with it) before any node signs with it. 0 = signs at once.
  int64_t activate_after = 0;
};

struct KeyInfo {
  std::string kid;
  std::string alg;
  int64_t created_at = 0;
  int64_t retired_at = 0;       // 0 for the signing key
  int64_t published_until = 0;  // retired keys: when the JWKS drops it (0 = while current)
  bool current = false;         // the signing key
  bool published = false;       // in the JWKS
};

class KeyService {
 public:
  KeyService(KeyStore& store, const Clock& clock, KeyPolicy policy);
  ~KeyService();
  KeyService(const KeyService&) = delete;
  KeyService& operator=(const KeyService&) = delete;

  // Loads keys; generates the first one in the background when needed.
  Status Start();
  // Loads keys and generates the first one now (CLI use).
  Status StartSync();
  // Loads the published keys and changes nothing in the store: no key is
  // generated, encrypted or stored (atm keys export, atm token verify). Ok
  // also when there is no key: the JWKS is then empty.
  Status LoadPublished();

  // The signing key; waits (bounded) for a key being generated.
  Result<std::shared_ptr<const SigningKey>> Current();
  // The published key with this kid, or nullptr. A kid this process does
  // not know makes it look for keys another process installed (at most once
  // a second), so a node verifies a token another node signed with a key
  // made since this one last loaded them.
  std::shared_ptr<const SigningKey> Find(const std::string& kid);
  KeyLookup Lookup();
  // The JWKS document, serialised once per key change.
  std::shared_ptr<const std::string> JwksJson() const;

  // Generates a new signing key and retires the others; the audit trail
  // names `by` ("cli", "schedule", "startup"). Returns the new key's kid.
  // A key that replaces another signs from KeyPolicy::activate_after on (its
  // created_at); until then it is published and the old key signs.
  // Several processes on one database rotating at once make one key: the
  // schedule and start-up replace only the key this process last loaded
  // (when another process replaced it first, its key is loaded instead);
  // any other `by` (an administrator's request) always makes a new key.
  Result<std::string> Rotate(const std::string& by = "system");
  // When the signing key was made (0 while there is none), and when the
  // schedule rotates it next (0: no schedule).
  int64_t current_created_at() const { return Snapshot()->current_created_at; }
  int64_t next_rotation_at() const;
  // Periodic work: reloads when another process changed the keys, rotates on
  // schedule, and deletes retired keys that no token can need any more.
  Status Maintain();
  // Every key in the store (the signing key first, then the most recently
  // retired), with its state by the retention rule
  // (needs no Start(), so the CLI can list keys without generating one).
  Result<std::vector<KeyInfo>> List();
  const KeyPolicy& policy() const { return policy_; }

 private:
  struct KeySet {
    std::shared_ptr<const SigningKey> current;
    std::map<std::string, std::shared_ptr<const SigningKey>> published;
    std::shared_ptr<const std::string> jwks;
    int64_t current_created_at = 0;
    // The newest active key in the store, whatever its algorithm ("" : none):
    // what a rotation expects to replace (KeyStore::InstallSigningKey).
    std::string head_kid;
    // When a published key that does not sign yet starts to (0: none).
    int64_t next_activation_at = 0;
  };

  // What Load does when no stored key fits the configured algorithm.
  enum class MissingKey { kGenerateInBackground, kGenerateNow, kError };
  // Reads the keys from the store and publishes them (noting the store's
  // data version); then, when none can sign, does what `missing` says.
  Status Load(MissingKey missing);
  // keys.key_file: checked against keys.algorithm, and stored as the signing
  // key unless it already is.
  Status StoreKeyFile();
  // The stored keys still published: the signing key (the newest current one
  // of the configured algorithm, when any), the others, and their JWKS.
  Result<std::shared_ptr<const KeySet>> ReadKeySet();
  // Generates a signing key on a background thread, unless one is being
  // generated already; Current() waits for it.
  void GenerateInBackground();
  // Encrypts the private keys still stored in plaintext.
  Status EncryptStoredKeys();
  // The PEM of a stored key, decrypted when it is sealed.
  Result<std::string> PrivatePem(const KeyRecord& rec) const;
  // Stores `key` as the signing key from `signs_from` on, if the store's is
  // still `expected` (false: another process installed one meanwhile).
  Result<bool> CreateKey(std::unique_ptr<SigningKey> key, const std::string& by, const std::string& expected,
                         int64_t signs_from);
  // Reloads the keys when another process changed them; at most once a
  // second (Find's look for an unknown kid). True when it reloaded.
  bool ReloadIfChanged();
  // The published key with this kid in the keys as loaded, or nullptr.
  std::shared_ptr<const SigningKey> FindPublished(const std::string& kid) const;
  void Publish(std::shared_ptr<const KeySet> set);
  std::shared_ptr<const KeySet> Snapshot() const;

  KeyStore& store_;
  const Clock& clock_;
  KeyPolicy policy_;
  mutable std::mutex mutex_;
  std::condition_variable ready_;
  std::shared_ptr<const KeySet> set_;
  std::mutex rotate_mutex_;  // one rotation or reload at a time
  std::thread generator_;
  std::atomic<bool> stopping_{false};  // see KeyPolicy::cancel_generation_on_stop
  bool generating_ = false;            // under mutex_
  std::string generate_error_;         // under mutex_: the last generation's failure
  // Written by Load (on rotation from a request thread, or from Maintain),
  // read by Maintain on the maintenance thread.
  std::atomic<int64_t> data_version_{-1};
  std::atomic<int64_t> last_unknown_kid_check_ms_{0};  // steady clock, for ReloadIfChanged
};

}  // namespace atm
