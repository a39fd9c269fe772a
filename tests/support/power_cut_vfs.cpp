#include "support/power_cut_vfs.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <random>
#include <stdexcept>

namespace atm::testing {

struct PowerCutVfs::Op {
  bool truncate = false;
  int64_t offset = 0;  // a write's offset, or a truncation's new size
  std::string data;
};

struct PowerCutVfs::FileState {
  std::string path;
  std::vector<Op> unsynced;
};

struct PowerCutVfs::File {
  sqlite3_file base;  // pMethods: methods_ of the VFS
  PowerCutVfs* vfs;
  std::shared_ptr<FileState> state;  // null: passed straight through (temporary files)
  sqlite3_file* real;                // the unix VFS's file, allocated after this struct
};

namespace {

constexpr int kSector = 512;

PowerCutVfs::File& AsFile(sqlite3_file* file) { return *reinterpret_cast<PowerCutVfs::File*>(file); }

// Lays the operations over `buffer`, which holds [offset, offset + amount)
// of the file as the disk has it.
void Overlay(const std::vector<PowerCutVfs::Op>& ops, char* buffer, int64_t amount, int64_t offset) {
  for (const auto& op : ops) {
    if (op.truncate) {
      if (op.offset < offset + amount) {
        const int64_t from = std::max(op.offset, offset);
        std::memset(buffer + (from - offset), 0, static_cast<size_t>(offset + amount - from));
      }
      continue;
    }
    const int64_t begin = std::max(op.offset, offset);
    const int64_t end = std::min(op.offset + static_cast<int64_t>(op.data.size()), offset + amount);
    if (begin < end) {
      std::memcpy(buffer + (begin - offset), op.data.data() + (begin - op.offset), static_cast<size_t>(end - begin));
    }
  }
}

// Writes to the disk by path, for the power cut (the file may be closed).
void WriteToDisk(const std::string& path, const PowerCutVfs::Op& op, int64_t from, int64_t length) {
  int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return;  // deleted meanwhile
  if (op.truncate) {
    if (ftruncate(fd, op.offset) != 0) throw std::runtime_error("power cut: ftruncate failed");
  } else if (pwrite(fd, op.data.data() + (from - op.offset), static_cast<size_t>(length), from) != length) {
    throw std::runtime_error("power cut: pwrite failed");
  }
  close(fd);
}

}  // namespace

PowerCutVfs::PowerCutVfs() : real_(sqlite3_vfs_find(nullptr)) {
  if (!real_) throw std::runtime_error("no default SQLite VFS");
  vfs_.iVersion = 2;
  vfs_.szOsFile = static_cast<int>(sizeof(File)) + real_->szOsFile;
  vfs_.mxPathname = real_->mxPathname;
  vfs_.zName = "atm_power_cut";
  vfs_.pAppData = this;
  vfs_.xOpen = Open;
  vfs_.xDelete = Delete;
  vfs_.xAccess = Access;
  vfs_.xFullPathname = FullPathname;
  vfs_.xRandomness = Randomness;
  vfs_.xSleep = Sleep;
  vfs_.xCurrentTime = CurrentTime;
  vfs_.xGetLastError = GetLastError;
  vfs_.xCurrentTimeInt64 = CurrentTimeInt64;

  // Version 2: shared memory (WAL) but no xFetch, so SQLite never maps the
  // database into memory, past the page cache this VFS keeps.
  methods_.iVersion = 2;
  methods_.xClose = Close;
  methods_.xRead = Read;
  methods_.xWrite = Write;
  methods_.xTruncate = Truncate;
  methods_.xSync = Sync;
  methods_.xFileSize = FileSize;
  methods_.xLock = Lock;
  methods_.xUnlock = Unlock;
  methods_.xCheckReservedLock = CheckReservedLock;
  methods_.xFileControl = FileControl;
  methods_.xSectorSize = SectorSize;
  methods_.xDeviceCharacteristics = DeviceCharacteristics;
  methods_.xShmMap = ShmMap;
  methods_.xShmLock = ShmLock;
  methods_.xShmBarrier = ShmBarrier;
  methods_.xShmUnmap = ShmUnmap;
  if (sqlite3_vfs_register(&vfs_, 1) != SQLITE_OK) throw std::runtime_error("cannot register the VFS");
}

PowerCutVfs::~PowerCutVfs() {
  sqlite3_vfs_unregister(&vfs_);
  sqlite3_vfs_register(real_, 1);
}

PowerCutVfs& PowerCutVfs::Of(sqlite3_file* file) { return *AsFile(file).vfs; }

void PowerCutVfs::Cut(Loss loss, uint32_t seed) {
  std::lock_guard<std::mutex> lock(mutex_);
  CutLocked(loss, seed);
}

void PowerCutVfs::CutBeforeWrite(int writes, Loss loss, uint32_t seed) {
  std::lock_guard<std::mutex> lock(mutex_);
  armed_writes_ = writes;
  armed_loss_ = loss;
  armed_seed_ = seed;
}

bool PowerCutVfs::off() {
  std::lock_guard<std::mutex> lock(mutex_);
  return off_;
}

void PowerCutVfs::CutLocked(Loss loss, uint32_t seed) {
  armed_writes_ = 0;
  unsynced_at_cut_ = 0;
  for (const auto& [path, state] : files_) unsynced_at_cut_ += static_cast<int64_t>(state->unsynced.size());
  std::mt19937 random(seed);
  for (auto& [path, state] : files_) {
    for (const Op& op : state->unsynced) {
      if (loss == Loss::kAllUnsynced) break;
      if (op.truncate) {
        if (random() % 2) WriteToDisk(path, op, 0, 0);
        continue;
      }
      // Sector by sector (sectors at their place on the disk).
      const int64_t end = op.offset + static_cast<int64_t>(op.data.size());
      for (int64_t at = op.offset; at < end;) {
        const int64_t sector_end = std::min(end, (at / kSector + 1) * kSector);
        if (random() % 2) WriteToDisk(path, op, at, sector_end - at);
        at = sector_end;
      }
    }
    state->unsynced.clear();
  }
  off_ = true;
}

void PowerCutVfs::PowerOn() {
  std::lock_guard<std::mutex> lock(mutex_);
  off_ = false;
  armed_writes_ = 0;
  files_.clear();
}

int64_t PowerCutVfs::syncs() {
  std::lock_guard<std::mutex> lock(mutex_);
  return syncs_;
}

int64_t PowerCutVfs::unsynced_at_cut() {
  std::lock_guard<std::mutex> lock(mutex_);
  return unsynced_at_cut_;
}

int64_t PowerCutVfs::unsynced_writes() {
  std::lock_guard<std::mutex> lock(mutex_);
  int64_t n = 0;
  for (const auto& [path, state] : files_) n += static_cast<int64_t>(state->unsynced.size());
  return n;
}

int PowerCutVfs::Open(sqlite3_vfs* vfs, const char* name, sqlite3_file* file, int flags, int* out_flags) {
  PowerCutVfs& self = Of(vfs);
  File& f = AsFile(file);
  f.base.pMethods = nullptr;
  f.vfs = &self;
  f.real = reinterpret_cast<sqlite3_file*>(&f + 1);
  new (&f.state) std::shared_ptr<FileState>();
  const int rc = self.real_->xOpen(self.real_, name, f.real, flags, out_flags);
  if (rc != SQLITE_OK) {
    f.state.~shared_ptr();
    return rc;
  }
  f.base.pMethods = &self.methods_;
  constexpr int kDurable = SQLITE_OPEN_MAIN_DB | SQLITE_OPEN_WAL | SQLITE_OPEN_MAIN_JOURNAL;
  if (name && (flags & kDurable)) {
    std::lock_guard<std::mutex> lock(self.mutex_);
    auto& state = self.files_[name];
    if (!state) state = std::make_shared<FileState>(FileState{name, {}});
    f.state = state;
  }
  return SQLITE_OK;
}

int PowerCutVfs::Delete(sqlite3_vfs* vfs, const char* name, int sync_dir) {
  PowerCutVfs& self = Of(vfs);
  std::lock_guard<std::mutex> lock(self.mutex_);
  if (self.off_) return SQLITE_IOERR_DELETE;
  self.files_.erase(name);  // the file's unsynced data goes with it
  return self.real_->xDelete(self.real_, name, sync_dir);
}

int PowerCutVfs::Access(sqlite3_vfs* vfs, const char* name, int flags, int* out) {
  return Of(vfs).real_->xAccess(Of(vfs).real_, name, flags, out);
}
int PowerCutVfs::FullPathname(sqlite3_vfs* vfs, const char* name, int n, char* out) {
  return Of(vfs).real_->xFullPathname(Of(vfs).real_, name, n, out);
}
int PowerCutVfs::Randomness(sqlite3_vfs* vfs, int n, char* out) {
  return Of(vfs).real_->xRandomness(Of(vfs).real_, n, out);
}
int PowerCutVfs::Sleep(sqlite3_vfs* vfs, int microseconds) {
  return Of(vfs).real_->xSleep(Of(vfs).real_, microseconds);
}
int PowerCutVfs::CurrentTime(sqlite3_vfs* vfs, double* out) { return Of(vfs).real_->xCurrentTime(Of(vfs).real_, out); }
int PowerCutVfs::GetLastError(sqlite3_vfs* vfs, int n, char* out) {
  return Of(vfs).real_->xGetLastError(Of(vfs).real_, n, out);
}
int PowerCutVfs::CurrentTimeInt64(sqlite3_vfs* vfs, sqlite3_int64* out) {
  return Of(vfs).real_->xCurrentTimeInt64(Of(vfs).real_, out);
}

int PowerCutVfs::Close(sqlite3_file* file) {
  File& f = AsFile(file);
  // Closing a file does not sync it: its unsynced data stays in the page
  // cache (the FileState, found again by path).
  const int rc = f.real->pMethods->xClose(f.real);
  f.state.~shared_ptr();
  return rc;
}

int64_t PowerCutVfs::LogicalSize(File& f) {
  sqlite3_int64 size = 0;
  f.real->pMethods->xFileSize(f.real, &size);
  for (const Op& op : f.state->unsynced) {
    size = op.truncate ? op.offset : std::max<int64_t>(size, op.offset + static_cast<int64_t>(op.data.size()));
  }
  return size;
}

int PowerCutVfs::Read(sqlite3_file* file, void* buffer, int amount, sqlite3_int64 offset) {
  File& f = AsFile(file);
  if (!f.state) return f.real->pMethods->xRead(f.real, buffer, amount, offset);
  std::lock_guard<std::mutex> lock(f.vfs->mutex_);
  const int rc = f.real->pMethods->xRead(f.real, buffer, amount, offset);
  if (rc != SQLITE_OK && rc != SQLITE_IOERR_SHORT_READ) return rc;
  char* out = static_cast<char*>(buffer);
  Overlay(f.state->unsynced, out, amount, offset);
  const int64_t size = LogicalSize(f);
  if (offset + amount <= size) return SQLITE_OK;
  // Past the end: SQLite wants zeros there, and to be told.
  const int64_t from = std::max<int64_t>(size, offset);
  std::memset(out + (from - offset), 0, static_cast<size_t>(offset + amount - from));
  return SQLITE_IOERR_SHORT_READ;
}

int PowerCutVfs::Write(sqlite3_file* file, const void* buffer, int amount, sqlite3_int64 offset) {
  File& f = AsFile(file);
  std::lock_guard<std::mutex> lock(f.vfs->mutex_);
  if (f.vfs->off_) return SQLITE_IOERR_WRITE;
  if (!f.state) return f.real->pMethods->xWrite(f.real, buffer, amount, offset);
  if (f.vfs->armed_writes_ > 0 && --f.vfs->armed_writes_ == 0) {
    f.vfs->CutLocked(f.vfs->armed_loss_, f.vfs->armed_seed_);
    return SQLITE_IOERR_WRITE;
  }
  f.state->unsynced.push_back(Op{false, offset, std::string(static_cast<const char*>(buffer), amount)});
  return SQLITE_OK;
}

int PowerCutVfs::Truncate(sqlite3_file* file, sqlite3_int64 size) {
  File& f = AsFile(file);
  std::lock_guard<std::mutex> lock(f.vfs->mutex_);
  if (f.vfs->off_) return SQLITE_IOERR_TRUNCATE;
  if (!f.state) return f.real->pMethods->xTruncate(f.real, size);
  f.state->unsynced.push_back(Op{true, size, {}});
  return SQLITE_OK;
}

int PowerCutVfs::Sync(sqlite3_file* file, int flags) {
  File& f = AsFile(file);
  std::lock_guard<std::mutex> lock(f.vfs->mutex_);
  if (f.vfs->off_) return SQLITE_IOERR_FSYNC;
  if (f.state) {
    for (const Op& op : f.state->unsynced) {
      const int rc =
          op.truncate ? f.real->pMethods->xTruncate(f.real, op.offset)
                      : f.real->pMethods->xWrite(f.real, op.data.data(), static_cast<int>(op.data.size()), op.offset);
      if (rc != SQLITE_OK) return rc;
    }
    f.state->unsynced.clear();
    ++f.vfs->syncs_;
  }
  return f.real->pMethods->xSync(f.real, flags);
}

int PowerCutVfs::FileSize(sqlite3_file* file, sqlite3_int64* size) {
  File& f = AsFile(file);
  if (!f.state) return f.real->pMethods->xFileSize(f.real, size);
  std::lock_guard<std::mutex> lock(f.vfs->mutex_);
  *size = LogicalSize(f);
  return SQLITE_OK;
}

int PowerCutVfs::Lock(sqlite3_file* file, int level) {
  return AsFile(file).real->pMethods->xLock(AsFile(file).real, level);
}
int PowerCutVfs::Unlock(sqlite3_file* file, int level) {
  return AsFile(file).real->pMethods->xUnlock(AsFile(file).real, level);
}
int PowerCutVfs::CheckReservedLock(sqlite3_file* file, int* out) {
  return AsFile(file).real->pMethods->xCheckReservedLock(AsFile(file).real, out);
}
int PowerCutVfs::FileControl(sqlite3_file* file, int op, void* arg) {
  // Size hints would grow the real file behind the page cache's back.
  if (op == SQLITE_FCNTL_SIZE_HINT || op == SQLITE_FCNTL_CHUNK_SIZE) return SQLITE_NOTFOUND;
  return AsFile(file).real->pMethods->xFileControl(AsFile(file).real, op, arg);
}
int PowerCutVfs::SectorSize(sqlite3_file* file) { return AsFile(file).real->pMethods->xSectorSize(AsFile(file).real); }
int PowerCutVfs::DeviceCharacteristics(sqlite3_file* file) {
  return AsFile(file).real->pMethods->xDeviceCharacteristics(AsFile(file).real);
}
int PowerCutVfs::ShmMap(sqlite3_file* file, int region, int size, int extend, void volatile** out) {
  return AsFile(file).real->pMethods->xShmMap(AsFile(file).real, region, size, extend, out);
}
int PowerCutVfs::ShmLock(sqlite3_file* file, int offset, int n, int flags) {
  return AsFile(file).real->pMethods->xShmLock(AsFile(file).real, offset, n, flags);
}
void PowerCutVfs::ShmBarrier(sqlite3_file* file) { AsFile(file).real->pMethods->xShmBarrier(AsFile(file).real); }
int PowerCutVfs::ShmUnmap(sqlite3_file* file, int delete_flag) {
  return AsFile(file).real->pMethods->xShmUnmap(AsFile(file).real, delete_flag);
}

}  // namespace atm::testing
