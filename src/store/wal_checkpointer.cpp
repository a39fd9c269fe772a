#include "store/wal_checkpointer.h"

#include <sqlite3.h>

namespace atm {

std::unique_ptr<WalCheckpointer> WalCheckpointer::Start(sqlite3* writer, const std::string& path, bool synchronous_full,
                                                        std::string* error) {
  sqlite3* own = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &own, SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX, nullptr);
  if (rc == SQLITE_OK) rc = sqlite3_busy_timeout(own, 5000);
  // The checkpointer syncs the database file as the store's setting says.
  if (rc == SQLITE_OK) {
    rc = sqlite3_exec(own, synchronous_full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL", nullptr, nullptr,
                      nullptr);
  }
  if (rc != SQLITE_OK) {
    *error = sqlite3_errmsg(own);
    sqlite3_close(own);
    return nullptr;
  }
  return std::unique_ptr<WalCheckpointer>(new WalCheckpointer(writer, own));
}

WalCheckpointer::WalCheckpointer(sqlite3* writer, sqlite3* own) : writer_(writer), own_(own) {
  thread_ = std::thread([this] { Loop(); });
  // Replaces SQLite's own autocheckpoint hook on the writer.
  sqlite3_wal_hook(writer_, &WalCheckpointer::Hook, this);
}

WalCheckpointer::~WalCheckpointer() {
  sqlite3_wal_autocheckpoint(writer_, 1000);  // SQLite's default again
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
  sqlite3_close(own_);
}

// Called by SQLite after each commit on the writer, with the WAL's length.
int WalCheckpointer::Hook(void* self, sqlite3* db, const char* name, int frames) {
  auto* c = static_cast<WalCheckpointer*>(self);
  c->frames_ = frames;
  // Commits are serialised on the writer connection, so `notified_` needs no lock.
  if (frames < c->notified_) c->notified_ = 0;  // the WAL started over
  if (frames >= kInlineFrames) {
    // SQLITE_BUSY while the background thread is checkpointing: the next
    // commit tries again.
    sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  } else if (frames >= c->notified_ + kBackgroundFrames) {
    // Once per kBackgroundFrames new frames, so that the background thread
    // does not hold the checkpoint lock back to back.
    c->notified_ = frames;
    {
      std::lock_guard<std::mutex> lock(c->mutex_);
      c->wanted_ = true;
    }
    c->wake_.notify_one();
  }
  return SQLITE_OK;
}

void WalCheckpointer::Loop() {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return wanted_ || stopping_; });
    if (stopping_) return;
    wanted_ = false;
    lock.unlock();
    // PASSIVE: copies what it can without waiting for anyone; SQLITE_BUSY
    // (another checkpoint running) just means there is nothing to do now.
    sqlite3_wal_checkpoint_v2(own_, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    lock.lock();
  }
}

}  // namespace atm
