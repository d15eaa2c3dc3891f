#include "cirrus/io/files.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
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

AtomicOutputFile::AtomicOutputFile(std::string path, std::string temp_path, int fd)
    : path_(std::move(path)), temp_path_(std::move(temp_path)), fd_(fd) {}

Result<AtomicOutputFile> AtomicOutputFile::Create(const std::string& path) {
  // The temporary lives in the same directory so that rename() is atomic.
  // open() with mode 0666 lets the umask set the final permissions, as a
  // plain create would; O_EXCL with a fresh name avoids clobbering anything.
  static std::atomic<unsigned> counter{0};
  for (int attempt = 0; attempt < 100; ++attempt) {
    std::string temp = path + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(counter++);
    const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd >= 0) return AtomicOutputFile(path, std::move(temp), fd);
    if (errno != EEXIST) break;
  }
  return Fail(ErrorCode::kInvalidArgument, "cannot create " + path + ": " + ErrnoText(), path);
}

AtomicOutputFile::AtomicOutputFile(AtomicOutputFile&& other) noexcept
    : path_(std::move(other.path_)), temp_path_(std::move(other.temp_path_)), fd_(std::exchange(other.fd_, -1)) {}

AtomicOutputFile& AtomicOutputFile::operator=(AtomicOutputFile&& other) noexcept {
  if (this != &other) {
    Abandon();
    path_ = std::move(other.path_);
    temp_path_ = std::move(other.temp_path_);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

AtomicOutputFile::~AtomicOutputFile() { Abandon(); }

void AtomicOutputFile::Abandon() {
  if (fd_ >= 0) {
    ::close(fd_);
    ::unlink(temp_path_.c_str());
    fd_ = -1;
  }
}

Status AtomicOutputFile::Write(std::string_view bytes) {
  if (fd_ < 0) return Fail(ErrorCode::kFailedPrecondition, "write to " + path_ + " after it was closed");
  return WriteAll(fd_, bytes, path_);
}

Status AtomicOutputFile::Commit() {
  if (fd_ < 0) return Fail(ErrorCode::kFailedPrecondition, path_ + " was already closed");
  const int fd = std::exchange(fd_, -1);
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

Status WriteStdout(std::string_view bytes) { return WriteAll(STDOUT_FILENO, bytes, "standard output"); }

}  // namespace cirrus::io
