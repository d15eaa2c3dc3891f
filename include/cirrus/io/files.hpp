// cirrus/io/files.hpp: reading whole files and writing output files
// atomically, so that a failed run never leaves a half-written file behind.
//
// Example:
//   auto out = cirrus::io::AtomicOutputFile::Create("scored.csv");
//   if (!out) return Fail(out.error());
//   CIRRUS_RETURN_IF_ERROR(out->Write(text));
//   CIRRUS_RETURN_IF_ERROR(out->Commit());   // until here, scored.csv is untouched
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cirrus/base/result.hpp"

namespace cirrus::io {

/// Reads the whole file. Errors: kNotFound when it does not exist,
/// kInvalidArgument when it cannot be read (a directory, no permission).
Result<std::string> ReadFile(const std::string& path);

/// A whole file mapped read-only into memory: no copy, pages read on demand.
/// The view stays valid while the MappedFile lives.
class MappedFile {
 public:
  /// Errors: as ReadFile.
  static Result<MappedFile> Open(const std::string& path);
  MappedFile(MappedFile&& other) noexcept;
  MappedFile& operator=(MappedFile&& other) noexcept;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  ~MappedFile();
  [[nodiscard]] std::string_view text() const { return {static_cast<const char*>(data_), size_}; }

 private:
  MappedFile(void* data, std::size_t size) : data_(data), size_(size) {}
  void* data_ = nullptr;
  std::size_t size_ = 0;
};

/// A file written under a temporary name beside its final path and renamed
/// into place by Commit(). Destroying it uncommitted removes the temporary.
///
/// Only a regular file (or a name not yet taken) is replaced so. A symbolic
/// link is followed to its target, which is replaced in the same way: the
/// link stays a link. A FIFO, a device, or a link into /proc such as
/// /dev/stdout is written through instead: the bytes are held until Commit()
/// and then written to it, so a run that fails sends nothing there either.
class AtomicOutputFile {
 public:
  /// Errors: kInvalidArgument when the path is a directory (or a link to
  /// one), when its directory does not exist or is not writable, or when a
  /// FIFO or device cannot be opened for writing.
  static Result<AtomicOutputFile> Create(const std::string& path);

  AtomicOutputFile(AtomicOutputFile&& other) noexcept;
  AtomicOutputFile& operator=(AtomicOutputFile&& other) noexcept;
  AtomicOutputFile(const AtomicOutputFile&) = delete;
  AtomicOutputFile& operator=(const AtomicOutputFile&) = delete;
  ~AtomicOutputFile();

  /// Errors: kDataLoss when the write fails (disk full).
  Status Write(std::string_view bytes);
  /// Flushes, closes and renames into place (or writes what was held through
  /// to a FIFO or device). Errors: kDataLoss.
  Status Commit();

 private:
  enum class Mode { kRename, kWriteThrough };
  AtomicOutputFile(std::string path, std::string temp_path, int fd, Mode mode);
  void Abandon();
  std::string path_;
  std::string temp_path_;
  int fd_ = -1;
  Mode mode_ = Mode::kRename;
  std::string held_;  // kWriteThrough: the bytes Commit() writes
};

/// A folder of output files built under a temporary name beside its final
/// path and put in its place by Commit(), so that the folder holds exactly
/// what one run wrote: no file of an earlier run survives (a record deleted
/// since, another site's identified data), and a failed run leaves the
/// earlier folder as it was. Destroying it uncommitted removes the temporary.
///
/// An existing folder is replaced only when it holds nothing but files named
/// in `replaceable` (what an earlier export writes); anything else there is
/// not cirrus's to delete, and Create refuses. The new folder takes the old
/// one's permissions (an export of identified data stays as private as it was).
///
/// Example:
///   CIRRUS_ASSIGN_OR_RETURN(OutputDirectory out, OutputDirectory::Create("export", names));
///   CIRRUS_RETURN_IF_ERROR(WriteRegistryCsv(batch, out.staging()));
///   CIRRUS_RETURN_IF_ERROR(out.Commit());   // until here, export/ is untouched
class OutputDirectory {
 public:
  /// Errors: kInvalidArgument when `path` is a file, or a folder holding a
  /// file not in `replaceable` or a subfolder (the message names it), or when
  /// the folder beside which the temporary goes cannot be written.
  static Result<OutputDirectory> Create(const std::string& path, std::span<const std::string_view> replaceable);

  OutputDirectory(OutputDirectory&& other) noexcept;
  OutputDirectory& operator=(OutputDirectory&& other) noexcept;
  OutputDirectory(const OutputDirectory&) = delete;
  OutputDirectory& operator=(const OutputDirectory&) = delete;
  ~OutputDirectory();

  /// The temporary folder to write the files into.
  [[nodiscard]] const std::string& staging() const { return staging_; }

  /// Puts the staging folder at the path, in one atomic exchange where the
  /// file system allows it, then deletes the earlier folder's files.
  /// Errors: kDataLoss.
  Status Commit();

 private:
  OutputDirectory(std::string path, std::string staging, std::vector<std::string> replaceable);
  void Abandon();
  std::string path_;
  std::string staging_;  // empty once committed or moved from
  std::vector<std::string> replaceable_;
};

/// Writes all of `bytes` to standard output. Errors: kDataLoss.
Status WriteStdout(std::string_view bytes);

}  // namespace cirrus::io
