#include "cirrus/io/files.hpp"

#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>  // renameat2, RENAME_EXCHANGE (glibc 2.28)
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <utility>
#include <vector>

namespace cirrus::io {
namespace {

std::string ErrnoText() { return std::strerror(errno); }

Status WriteAll(int fd, std::string_view bytes, const std::string& name) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Fail(ErrorCode::kDataLoss, "cannot write " + name + ": " + ErrnoText());
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return {};
}

}  // namespace

Result<std::string> ReadFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const ErrorCode code = errno == ENOENT ? ErrorCode::kNotFound : ErrorCode::kInvalidArgument;
    return Fail(code, "cannot open " + path + ": " + ErrnoText(), path);
  }
  struct stat info {};
  if (::fstat(fd, &info) != 0 || S_ISDIR(info.st_mode)) {
    ::close(fd);
    return Fail(ErrorCode::kInvalidArgument, "cannot read " + path + ": not a regular file", path);
  }
  std::string content;
  if (info.st_size > 0) content.reserve(static_cast<std::size_t>(info.st_size));
  std::vector<char> buffer(1 << 20);
  while (true) {
    const ssize_t n = ::read(fd, buffer.data(), buffer.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      const std::string why = ErrnoText();
      ::close(fd);
      return Fail(ErrorCode::kInvalidArgument, "cannot read " + path + ": " + why, path);
    }
    if (n == 0) break;
    content.append(buffer.data(), static_cast<std::size_t>(n));
  }
  ::close(fd);
  return content;
}

Result<MappedFile> MappedFile::Open(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const ErrorCode code = errno == ENOENT ? ErrorCode::kNotFound : ErrorCode::kInvalidArgument;
    return Fail(code, "cannot open " + path + ": " + ErrnoText(), path);
  }
  struct stat info {};
  if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
    ::close(fd);
    return Fail(ErrorCode::kInvalidArgument, "cannot read " + path + ": not a regular file", path);
  }
  const auto size = static_cast<std::size_t>(info.st_size);
  if (size == 0) {
    ::close(fd);
    return MappedFile(nullptr, 0);
  }
  // MAP_POPULATE maps the whole file up front (reading ahead as needed)
  // instead of taking one page fault per 4 KiB page as the parser walks it:
  // a 100 MB file is 25,000 faults otherwise. Every file mapped here is read
  // whole.
  void* data = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
  const std::string why = data == MAP_FAILED ? ErrnoText() : std::string();
  ::close(fd);
  if (data == MAP_FAILED) return Fail(ErrorCode::kInvalidArgument, "cannot map " + path + ": " + why, path);
  ::madvise(data, size, MADV_SEQUENTIAL);
  return MappedFile(data, size);
}

MappedFile::MappedFile(MappedFile&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}

MappedFile& MappedFile::operator=(MappedFile&& other) noexcept {
  if (this != &other) {
    if (data_ != nullptr) ::munmap(data_, size_);
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

MappedFile::~MappedFile() {
  if (data_ != nullptr) ::munmap(data_, size_);
}

AtomicOutputFile::AtomicOutputFile(std::string path, std::string temp_path, int fd, Mode mode)
    : path_(std::move(path)), temp_path_(std::move(temp_path)), fd_(fd), mode_(mode) {}

namespace {

// Where a write to `path` must go. A regular file (or a new name) is replaced
// by rename; a symbolic link is followed to its final target, so that the link
// stays a link. A link into /proc (/dev/stdout is /proc/self/fd/1) names an
// open file, not a place: renaming over its target would replace the file the
// shell opened (perhaps for appending), so such a path, like a FIFO or a
// device, is written through.
struct Target {
  std::string path;
  bool write_through = false;
  int descriptor = -1;  // /proc/self/fd/N of this process: N
};

// N when `link` is /proc/self/fd/N (or the same under this process's id or
// /proc/thread-self), else -1. Writing through such a link must share the
// open file itself, offset and O_APPEND included, not open it afresh: a
// fresh open(O_TRUNC) would empty a log that stdout appends to.
int OwnDescriptor(const std::string& link) {
  for (const std::string& prefix : {std::string("/proc/self/fd/"), std::string("/proc/thread-self/fd/"),
                                    "/proc/" + std::to_string(::getpid()) + "/fd/"}) {
    if (!link.starts_with(prefix)) continue;
    const std::string_view digits = std::string_view(link).substr(prefix.size());
    int n = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
    if (ec == std::errc() && end == digits.data() + digits.size()) return n;
  }
  return -1;
}

Result<Target> ResolveTarget(const std::string& path) {
  std::string current = path;
  // 40 is the kernel's own limit on links followed in one lookup (ELOOP).
  for (int hops = 0; hops <= 40; ++hops) {
    struct stat info {};
    if (::lstat(current.c_str(), &info) != 0) {
      if (errno == ENOENT) return Target{current, false};
      return Fail(ErrorCode::kInvalidArgument, "cannot write " + path + ": " + ErrnoText(), path);
    }
    if (S_ISREG(info.st_mode)) return Target{current, false};
    if (S_ISDIR(info.st_mode)) {
      return Fail(ErrorCode::kInvalidArgument,
                  "cannot write " + path + ": it is a directory; name a file" +
                      (current == path ? "" : " (the link leads to " + current + ")"),
                  path);
    }
    if (!S_ISLNK(info.st_mode)) return Target{current, true};
    const std::filesystem::path link(current);
    struct statfs fs {};
    if (::statfs(link.parent_path().empty() ? "." : link.parent_path().c_str(), &fs) == 0 &&
        fs.f_type == PROC_SUPER_MAGIC) {
      struct stat followed {};
      if (::stat(current.c_str(), &followed) == 0 && S_ISDIR(followed.st_mode)) {
        return Fail(ErrorCode::kInvalidArgument, "cannot write " + path + ": it is a directory; name a file", path);
      }
      return Target{current, true, OwnDescriptor(current)};
    }
    std::error_code ec;
    const std::filesystem::path next = std::filesystem::read_symlink(link, ec);
    if (ec) return Fail(ErrorCode::kInvalidArgument, "cannot write " + path + ": " + ec.message(), path);
    current = next.is_absolute() ? next.string() : (link.parent_path() / next).string();
  }
  return Fail(ErrorCode::kInvalidArgument, "cannot write " + path + ": too many levels of symbolic links", path);
}

}  // namespace

Result<AtomicOutputFile> AtomicOutputFile::Create(const std::string& path) {
  CIRRUS_ASSIGN_OR_RETURN(const Target target, ResolveTarget(path));
  if (target.write_through) {
    // Opened now, so that a path that cannot be written fails before any
    // work; nothing is written until Commit. O_TRUNC only for a regular file
    // (one reached through /proc): a FIFO or device has nothing to truncate.
    if (target.descriptor >= 0) {
      const int fd = ::fcntl(target.descriptor, F_DUPFD_CLOEXEC, 0);
      if (fd < 0) return Fail(ErrorCode::kInvalidArgument, "cannot write " + path + ": " + ErrnoText(), path);
      return AtomicOutputFile(path, std::string(), fd, Mode::kWriteThrough);
    }
    struct stat info {};
    const bool regular = ::stat(target.path.c_str(), &info) == 0 && S_ISREG(info.st_mode);
    const int fd = ::open(target.path.c_str(), O_WRONLY | O_CLOEXEC | (regular ? O_TRUNC : 0));
    if (fd < 0) return Fail(ErrorCode::kInvalidArgument, "cannot open " + path + ": " + ErrnoText(), path);
    return AtomicOutputFile(path, std::string(), fd, Mode::kWriteThrough);
  }
  // The temporary lives in the same directory as the target so that rename()
  // is atomic. open() with mode 0666 lets the umask set the final
  // permissions, as a plain create would; O_EXCL with a fresh name avoids
  // clobbering anything.
  static std::atomic<unsigned> counter{0};
  for (int attempt = 0; attempt < 100; ++attempt) {
    std::string temp = target.path + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(counter++);
    const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd >= 0) return AtomicOutputFile(target.path, std::move(temp), fd, Mode::kRename);
    if (errno != EEXIST) break;
  }
  return Fail(ErrorCode::kInvalidArgument, "cannot create " + path + ": " + ErrnoText(), path);
}

AtomicOutputFile::AtomicOutputFile(AtomicOutputFile&& other) noexcept
    : path_(std::move(other.path_)),
      temp_path_(std::move(other.temp_path_)),
      fd_(std::exchange(other.fd_, -1)),
      mode_(other.mode_),
      held_(std::move(other.held_)) {}

AtomicOutputFile& AtomicOutputFile::operator=(AtomicOutputFile&& other) noexcept {
  if (this != &other) {
    Abandon();
    path_ = std::move(other.path_);
    temp_path_ = std::move(other.temp_path_);
    fd_ = std::exchange(other.fd_, -1);
    mode_ = other.mode_;
    held_ = std::move(other.held_);
  }
  return *this;
}

AtomicOutputFile::~AtomicOutputFile() { Abandon(); }

void AtomicOutputFile::Abandon() {
  if (fd_ >= 0) {
    ::close(fd_);
    if (mode_ == Mode::kRename) ::unlink(temp_path_.c_str());
    fd_ = -1;
  }
  held_.clear();
}

Status AtomicOutputFile::Write(std::string_view bytes) {
  if (fd_ < 0) return Fail(ErrorCode::kFailedPrecondition, "write to " + path_ + " after it was closed");
  // Written through, the bytes wait for Commit: a run that fails half way
  // then sends nothing down the pipe or onto the device.
  if (mode_ == Mode::kWriteThrough) {
    held_.append(bytes);
    return {};
  }
  return WriteAll(fd_, bytes, path_);
}

Status AtomicOutputFile::Commit() {
  if (fd_ < 0) return Fail(ErrorCode::kFailedPrecondition, path_ + " was already closed");
  const int fd = std::exchange(fd_, -1);
  if (mode_ == Mode::kWriteThrough) {
    Status written = WriteAll(fd, held_, path_);
    held_.clear();
    if (::close(fd) != 0 && written) {
      return Fail(ErrorCode::kDataLoss, "cannot finish " + path_ + ": " + ErrnoText(), path_);
    }
    return written;
  }
  if (::close(fd) != 0) {
    const std::string why = ErrnoText();
    ::unlink(temp_path_.c_str());
    return Fail(ErrorCode::kDataLoss, "cannot finish " + path_ + ": " + why, path_);
  }
  if (::rename(temp_path_.c_str(), path_.c_str()) != 0) {
    const std::string why = ErrnoText();
    ::unlink(temp_path_.c_str());
    return Fail(ErrorCode::kDataLoss, "cannot rename into " + path_ + ": " + why, path_);
  }
  return {};
}

// ---- OutputDirectory ---------------------------------------------------------------

namespace {

// Deletes the files of a folder that an earlier export wrote, then the folder.
// Only names in `replaceable` are deleted: should anything else have appeared
// there since Create looked, the folder stays, with that file in it.
void RemoveExport(const std::string& folder, const std::vector<std::string>& replaceable) {
  for (const std::string& name : replaceable) ::unlink((std::filesystem::path(folder) / name).c_str());
  ::rmdir(folder.c_str());
}

}  // namespace

OutputDirectory::OutputDirectory(std::string path, std::string staging, std::vector<std::string> replaceable)
    : path_(std::move(path)), staging_(std::move(staging)), replaceable_(std::move(replaceable)) {}

Result<OutputDirectory> OutputDirectory::Create(const std::string& path,
                                                std::span<const std::string_view> replaceable) {
  namespace fs = std::filesystem;
  std::vector<std::string> names(replaceable.begin(), replaceable.end());
  // A link to a folder stays a link: the folder it leads to is replaced.
  std::error_code ec;
  fs::path target(path);
  struct stat link {};
  if (::lstat(path.c_str(), &link) == 0 && S_ISLNK(link.st_mode)) target = fs::canonical(target, ec);
  // "out/" names the folder out; "." and ".." name folders by their real name.
  if (!ec && !target.has_filename()) target = target.parent_path();
  if (!ec && (target.filename() == "." || target.filename() == "..")) target = fs::canonical(target, ec);
  if (ec) return Fail(ErrorCode::kInvalidArgument, "--out " + path + ": " + ec.message(), "out");
  struct stat info {};
  const bool exists = ::stat(target.c_str(), &info) == 0;
  if (exists && !S_ISDIR(info.st_mode)) {
    return Fail(ErrorCode::kInvalidArgument, "--out " + path + " is a file; name a folder for the export", "out");
  }
  if (exists) {
    for (fs::directory_iterator it(target, ec), end; !ec && it != end; it.increment(ec)) {
      const std::string name = it->path().filename().string();
      const bool known = std::find(names.begin(), names.end(), name) != names.end();
      if (!known || !it->is_regular_file(ec)) {
        return Fail(ErrorCode::kInvalidArgument,
                    "--out " + path + " holds " + name +
                        ", which no cirrus export writes; an export replaces the whole folder, so name a new or "
                        "empty folder, or one that holds only an earlier export",
                    "out");
      }
    }
    if (ec) return Fail(ErrorCode::kInvalidArgument, "--out " + path + ": cannot list it: " + ec.message(), "out");
  }
  // The staging folder goes beside the target, on the same file system, so
  // that the exchange in Commit is a rename.
  const fs::path parent = target.has_parent_path() ? target.parent_path() : fs::path(".");
  fs::create_directories(parent, ec);
  if (ec) {
    return Fail(ErrorCode::kInvalidArgument,
                "--out " + path + ": cannot create " + parent.string() + ": " + ec.message(), "out");
  }
  const std::string base = target.filename().string();
  static std::atomic<unsigned> counter{0};
  for (int attempt = 0; attempt < 100; ++attempt) {
    const fs::path staging =
        parent / ("." + base + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(counter++));
    // mkdir's 0777 leaves the permissions to the umask, as a plain mkdir; an
    // existing folder's own permissions are kept instead.
    if (::mkdir(staging.c_str(), 0777) == 0) {
      if (exists) ::chmod(staging.c_str(), info.st_mode & 07777);
      return OutputDirectory(target.string(), staging.string(), std::move(names));
    }
    if (errno != EEXIST) break;
  }
  return Fail(ErrorCode::kInvalidArgument,
              "--out " + path + ": cannot create a folder in " + parent.string() + ": " + ErrnoText(), "out");
}

OutputDirectory::OutputDirectory(OutputDirectory&& other) noexcept
    : path_(std::move(other.path_)),
      staging_(std::exchange(other.staging_, std::string())),
      replaceable_(std::move(other.replaceable_)) {}

OutputDirectory& OutputDirectory::operator=(OutputDirectory&& other) noexcept {
  if (this != &other) {
    Abandon();
    path_ = std::move(other.path_);
    staging_ = std::exchange(other.staging_, std::string());
    replaceable_ = std::move(other.replaceable_);
  }
  return *this;
}

OutputDirectory::~OutputDirectory() { Abandon(); }

void OutputDirectory::Abandon() {
  if (staging_.empty()) return;
  // Only the writers of this run wrote here; whatever they left goes.
  std::error_code ignored;
  std::filesystem::remove_all(staging_, ignored);
  staging_.clear();
}

Status OutputDirectory::Commit() {
  if (staging_.empty()) return Fail(ErrorCode::kFailedPrecondition, path_ + " was already committed");
  const std::string staging = std::exchange(staging_, std::string());
  if (::rename(staging.c_str(), path_.c_str()) == 0) return {};  // no folder there, or an empty one
  if (errno != EEXIST && errno != ENOTEMPTY) {
    const std::string why = ErrnoText();
    std::error_code ignored;
    std::filesystem::remove_all(staging, ignored);
    return Fail(ErrorCode::kDataLoss, "cannot move the export into " + path_ + ": " + why, path_);
  }
  // RENAME_EXCHANGE swaps the two folders in one step: at no moment is there
  // no folder, or half of one, at the path. Where the file system lacks it,
  // two renames leave the old folder beside the path for an instant.
  if (::renameat2(AT_FDCWD, staging.c_str(), AT_FDCWD, path_.c_str(), RENAME_EXCHANGE) == 0) {
    RemoveExport(staging, replaceable_);
    return {};
  }
  const std::string old = staging + ".old";
  if (::rename(path_.c_str(), old.c_str()) != 0 || ::rename(staging.c_str(), path_.c_str()) != 0) {
    const std::string why = ErrnoText();
    if (::access(path_.c_str(), F_OK) != 0) ::rename(old.c_str(), path_.c_str());
    std::error_code ignored;
    std::filesystem::remove_all(staging, ignored);
    return Fail(ErrorCode::kDataLoss, "cannot move the export into " + path_ + ": " + why, path_);
  }
  RemoveExport(old, replaceable_);
  return {};
}

Status WriteStdout(std::string_view bytes) { return WriteAll(STDOUT_FILENO, bytes, "standard output"); }

}  // namespace cirrus::io
