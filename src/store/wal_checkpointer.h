// WAL checkpoints off the request path.
//
// SQLite's automatic checkpoint runs inside the commit that crosses 1000 WAL
// frames: that writer, and every request waiting for the store, waits while
// the pages are copied and both files are fsync'ed. Instead, a commit hook
// on the store's connection wakes a thread that checkpoints (PASSIVE, never
// blocking writers) from a connection of its own. Under sustained writes a
// passive checkpoint cannot catch up with the end of the WAL, which then
// cannot start over; so a commit that finds the WAL past a larger bound
// still checkpoints inline, as SQLite would, with most pages already copied.
// (While a checkpoint waits for fsync the WAL keeps growing with the writes:
// its size is bounded by write rate x checkpoint time, not by a frame count.)
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

struct sqlite3;

namespace atm {

class WalCheckpointer {
 public:
  static constexpr int kBackgroundFrames = 1000;  // SQLite's autocheckpoint default
  static constexpr int kInlineFrames = 4000;      // about 16 MB of WAL

  // Opens a second connection to the database at `path` and installs the
  // hook on `writer` (which must outlive this object). Null, with `error`
  // set, when the connection cannot be opened.
  static std::unique_ptr<WalCheckpointer> Start(sqlite3* writer, const std::string& path, bool synchronous_full,
                                                std::string* error);
  ~WalCheckpointer();
  // Frames in the WAL after the last commit.
  int frames() const { return frames_; }
  WalCheckpointer(const WalCheckpointer&) = delete;
  WalCheckpointer& operator=(const WalCheckpointer&) = delete;

 private:
  WalCheckpointer(sqlite3* writer, sqlite3* own);
  static int Hook(void* self, sqlite3* db, const char* name, int frames);
  void Loop();

  sqlite3* writer_;
  sqlite3* own_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::atomic<int> frames_{0};
  int notified_ = 0;  // WAL length at the last wake-up of the thread
  bool wanted_ = false;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace atm
