// A SQLite VFS for power-loss tests (issue 16 item 5; README "Durability").
//
// It stands where the operating system's page cache stands, between SQLite
// and the disk: a write to the database, its WAL or its journal is held in
// memory (and read back from there) until SQLite syncs that file; only a
// sync puts it on the disk (the real file, through SQLite's own unix VFS).
// Cut() is the power failure: what the disk then holds is what was synced,
// plus, in the torn model, a random half of the unsynced 512-byte sectors,
// in any combination; everything else is lost, and from then on every
// write, sync, truncate and delete fails, as the machine is off. PowerOn()
// lets the next connections work on what survived.
//
// SQLite's real journaling runs above it: the WAL, its checksums and salts,
// checkpoints, recovery. What it does not model: the kernel and the drive
// honouring fsync (that is their promise, not atm's), the -shm file (SQLite
// rebuilds it from the WAL after a restart), and directory entries (a file
// created or deleted stays so).
//
// While it lives it is SQLite's default VFS, so every connection of the
// process uses it: the store's writer and readers, and its checkpointer.
// Test-only: it is compiled into the unit tests, never into atm.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace atm::testing {

class PowerCutVfs {
 public:
  enum class Loss {
    kAllUnsynced,  // no unsynced write reaches the disk
    kTorn,         // each unsynced 512-byte sector (and truncation) does, or not, at random
  };

  PowerCutVfs();
  ~PowerCutVfs();
  PowerCutVfs(const PowerCutVfs&) = delete;
  PowerCutVfs& operator=(const PowerCutVfs&) = delete;

  // The power failure (see above); `seed` chooses the surviving sectors.
  void Cut(Loss loss, uint32_t seed);
  // The power fails just before the `writes`-th write from now to the
  // database, its WAL or journal (that write is lost too, and fails): a cut
  // at a chosen point inside a commit or a checkpoint.
  void CutBeforeWrite(int writes, Loss loss, uint32_t seed);
  // Whether the power is off.
  bool off();
  // Power back: files work again, on what the disk holds.
  void PowerOn();

  // Syncs that put data on the disk, writes still held unsynced, and the
  // writes that were unsynced when the power failed.
  int64_t syncs();
  int64_t unsynced_writes();
  int64_t unsynced_at_cut();

  struct Op;         // a write or a truncation not yet synced
  struct FileState;  // the unsynced operations of one file (its page cache)
  struct File;       // an open file: the real one, and its FileState

 private:
  static PowerCutVfs& Of(sqlite3_vfs* vfs) { return *static_cast<PowerCutVfs*>(vfs->pAppData); }
  static PowerCutVfs& Of(sqlite3_file* file);
  static int Open(sqlite3_vfs* vfs, const char* name, sqlite3_file* file, int flags, int* out_flags);
  static int Delete(sqlite3_vfs* vfs, const char* name, int sync_dir);
  static int Access(sqlite3_vfs* vfs, const char* name, int flags, int* out);
  static int FullPathname(sqlite3_vfs* vfs, const char* name, int n, char* out);
  static int Randomness(sqlite3_vfs* vfs, int n, char* out);
  static int Sleep(sqlite3_vfs* vfs, int microseconds);
  static int CurrentTime(sqlite3_vfs* vfs, double* out);
  static int GetLastError(sqlite3_vfs* vfs, int n, char* out);
  static int CurrentTimeInt64(sqlite3_vfs* vfs, sqlite3_int64* out);

  static int Close(sqlite3_file* file);
  static int Read(sqlite3_file* file, void* buffer, int amount, sqlite3_int64 offset);
  static int Write(sqlite3_file* file, const void* buffer, int amount, sqlite3_int64 offset);
  static int Truncate(sqlite3_file* file, sqlite3_int64 size);
  static int Sync(sqlite3_file* file, int flags);
  static int FileSize(sqlite3_file* file, sqlite3_int64* size);
  static int Lock(sqlite3_file* file, int level);
  static int Unlock(sqlite3_file* file, int level);
  static int CheckReservedLock(sqlite3_file* file, int* out);
  static int FileControl(sqlite3_file* file, int op, void* arg);
  static int SectorSize(sqlite3_file* file);
  static int DeviceCharacteristics(sqlite3_file* file);
  static int ShmMap(sqlite3_file* file, int region, int size, int extend, void volatile** out);
  static int ShmLock(sqlite3_file* file, int offset, int n, int flags);
  static void ShmBarrier(sqlite3_file* file);
  static int ShmUnmap(sqlite3_file* file, int delete_flag);

  // Under mutex_: the file's size as SQLite sees it (the disk's, then the
  // unsynced operations).
  static int64_t LogicalSize(File& f);
  // Under mutex_: Cut.
  void CutLocked(Loss loss, uint32_t seed);

  sqlite3_vfs* real_;  // SQLite's default VFS when this one was made
  sqlite3_vfs vfs_{};
  sqlite3_io_methods methods_{};
  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<FileState>> files_;  // by path
  bool off_ = false;
  int64_t syncs_ = 0;
  int64_t unsynced_at_cut_ = 0;
  int armed_writes_ = 0;  // CutBeforeWrite: writes to go; 0 = not armed
  Loss armed_loss_ = Loss::kAllUnsynced;
  uint32_t armed_seed_ = 0;
};

}  // namespace atm::testing
