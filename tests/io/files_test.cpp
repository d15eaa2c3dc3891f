// ReadFile and AtomicOutputFile of io/files.hpp, in a fresh directory under
// testing::TempDir() per test.
#include "cirrus/io/files.hpp"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "cirrus_matchers.hpp"

namespace cirrus::io {
namespace {

namespace fs = std::filesystem;

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;
using ::testing::StartsWith;

class FilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::path(::testing::TempDir()) /
           ("cirrus_files_" + std::to_string(::getpid()) + "_" + info->test_suite_name() + "_" + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }

  [[nodiscard]] std::string PathOf(const std::string& name) const { return (dir_ / name).string(); }

  static void WriteWithStdio(const std::string& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary);
    out << bytes;
  }

  // Names of the directory's entries, sorted.
  [[nodiscard]] std::vector<std::string> Entries() const {
    std::vector<std::string> names;
    for (const fs::directory_entry& entry : fs::directory_iterator(dir_)) {
      names.push_back(entry.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
  }

  fs::path dir_;
};

// ---- ReadFile -------------------------------------------------------------------

TEST_F(FilesTest, ReadFileOfAMissingFileIsNotFound) {
  const std::string path = PathOf("absent.csv");
  const Result<std::string> r = ReadFile(path);
  EXPECT_THAT(r, HasErrorCode(ErrorCode::kNotFound));
  EXPECT_THAT(r, HasErrorMessage(HasSubstr(path)));
  EXPECT_EQ(r.error().field, path);
}

TEST_F(FilesTest, ReadFileInAMissingDirectoryIsNotFound) {
  EXPECT_THAT(ReadFile(PathOf("no_such_dir/visits.csv")), HasErrorCode(ErrorCode::kNotFound));
}

TEST_F(FilesTest, ReadFileOfADirectoryIsInvalidArgument) {
  EXPECT_THAT(ReadFile(dir_.string()), HasErrorCode(ErrorCode::kInvalidArgument));
  EXPECT_THAT(ReadFile(dir_.string()), HasErrorMessage(HasSubstr("not a regular file")));
}

TEST_F(FilesTest, ReadFileReturnsEveryByte) {
  constexpr char kBytes[] = "sex,age\r\nM,64\n\0\xFF tail";  // a NUL and a non-UTF-8 byte inside
  const std::string bytes(kBytes, sizeof(kBytes) - 1);
  WriteWithStdio(PathOf("visits.csv"), bytes);
  EXPECT_THAT(ReadFile(PathOf("visits.csv")), IsOkAndHolds(bytes));
}

TEST_F(FilesTest, ReadFileOfAnEmptyFileIsEmpty) {
  WriteWithStdio(PathOf("empty.csv"), "");
  EXPECT_THAT(ReadFile(PathOf("empty.csv")), IsOkAndHolds(std::string()));
}

TEST_F(FilesTest, ReadFileReadsFilesLargerThanItsBuffer) {
  // ReadFile reads in 1 MiB chunks; 2.5 MiB needs three of them.
  std::string bytes(static_cast<std::size_t>(5) << 19, 'x');
  for (std::size_t i = 0; i < bytes.size(); i += 4093) bytes[i] = static_cast<char>('a' + i % 26);
  WriteWithStdio(PathOf("large.csv"), bytes);
  const Result<std::string> r = ReadFile(PathOf("large.csv"));
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->size(), bytes.size());
  EXPECT_TRUE(*r == bytes);
}

// ---- AtomicOutputFile -----------------------------------------------------------

TEST_F(FilesTest, NothingAppearsAtThePathUntilCommit) {
  const std::string path = PathOf("scored.csv");
  Result<AtomicOutputFile> out = AtomicOutputFile::Create(path);
  ASSERT_THAT(out, IsOk());
  ASSERT_THAT(out->Write("a,b\n"), IsOk());
  ASSERT_THAT(out->Write("1,2\n"), IsOk());
  EXPECT_FALSE(fs::exists(path));
  // The data waits in one temporary beside the target, so that rename() is atomic.
  EXPECT_THAT(Entries(), ElementsAre(StartsWith("scored.csv.")));

  ASSERT_THAT(out->Commit(), IsOk());
  EXPECT_THAT(ReadFile(path), IsOkAndHolds(std::string("a,b\n1,2\n")));
  EXPECT_THAT(Entries(), ElementsAre("scored.csv"));
}

TEST_F(FilesTest, DestroyingWithoutCommitLeavesNoFile) {
  const std::string path = PathOf("scored.csv");
  {
    Result<AtomicOutputFile> out = AtomicOutputFile::Create(path);
    ASSERT_THAT(out, IsOk());
    ASSERT_THAT(out->Write("half a file"), IsOk());
  }
  EXPECT_FALSE(fs::exists(path));
  EXPECT_THAT(Entries(), IsEmpty());
}

TEST_F(FilesTest, DestroyingWithoutCommitLeavesAnExistingFileUntouched) {
  const std::string path = PathOf("scored.csv");
  WriteWithStdio(path, "old\n");
  {
    Result<AtomicOutputFile> out = AtomicOutputFile::Create(path);
    ASSERT_THAT(out, IsOk());
    ASSERT_THAT(out->Write("new\n"), IsOk());
  }
  EXPECT_THAT(ReadFile(path), IsOkAndHolds(std::string("old\n")));
  EXPECT_THAT(Entries(), ElementsAre("scored.csv"));
}

TEST_F(FilesTest, CommitReplacesAnExistingFile) {
  const std::string path = PathOf("scored.csv");
  WriteWithStdio(path, "old contents that are longer\n");
  Result<AtomicOutputFile> out = AtomicOutputFile::Create(path);
  ASSERT_THAT(out, IsOk());
  ASSERT_THAT(out->Write("new\n"), IsOk());
  EXPECT_THAT(ReadFile(path), IsOkAndHolds(std::string("old contents that are longer\n")));
  ASSERT_THAT(out->Commit(), IsOk());
  EXPECT_THAT(ReadFile(path), IsOkAndHolds(std::string("new\n")));
  EXPECT_THAT(Entries(), ElementsAre("scored.csv"));
}

TEST_F(FilesTest, CommitWithNothingWrittenMakesAnEmptyFile) {
  const std::string path = PathOf("empty.csv");
  Result<AtomicOutputFile> out = AtomicOutputFile::Create(path);
  ASSERT_THAT(out, IsOk());
  ASSERT_THAT(out->Commit(), IsOk());
  EXPECT_THAT(ReadFile(path), IsOkAndHolds(std::string()));
}

TEST_F(FilesTest, CommittedFileHasThePermissionsOfAPlainCreate) {
  // mkstemp makes the temporary 0600; the result should be 0666 less the umask.
  const mode_t mask = ::umask(0);
  ::umask(mask);
  const std::string path = PathOf("scored.csv");
  Result<AtomicOutputFile> out = AtomicOutputFile::Create(path);
  ASSERT_THAT(out, IsOk());
  ASSERT_THAT(out->Commit(), IsOk());
  struct stat info {};
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777U, 0666U & ~static_cast<unsigned>(mask));
}

TEST_F(FilesTest, CreateInAMissingDirectoryIsInvalidArgument) {
  const std::string path = PathOf("no_such_dir/scored.csv");
  const Result<AtomicOutputFile> out = AtomicOutputFile::Create(path);
  EXPECT_THAT(out, HasErrorCode(ErrorCode::kInvalidArgument));
  EXPECT_THAT(out, HasErrorMessage(HasSubstr(path)));
}

TEST_F(FilesTest, WriteOrCommitAfterCommitIsFailedPrecondition) {
  const std::string path = PathOf("scored.csv");
  Result<AtomicOutputFile> out = AtomicOutputFile::Create(path);
  ASSERT_THAT(out, IsOk());
  ASSERT_THAT(out->Write("a\n"), IsOk());
  ASSERT_THAT(out->Commit(), IsOk());
  EXPECT_THAT(out->Write("b\n"), HasErrorCode(ErrorCode::kFailedPrecondition));
  EXPECT_THAT(out->Commit(), HasErrorCode(ErrorCode::kFailedPrecondition));
  EXPECT_THAT(ReadFile(path), IsOkAndHolds(std::string("a\n")));
}

TEST_F(FilesTest, MovedFileCommits) {
  const std::string path = PathOf("scored.csv");
  Result<AtomicOutputFile> created = AtomicOutputFile::Create(path);
  ASSERT_THAT(created, IsOk());
  AtomicOutputFile out = std::move(*created);
  ASSERT_THAT(out.Write("kept\n"), IsOk());
  ASSERT_THAT(out.Commit(), IsOk());
  EXPECT_THAT(ReadFile(path), IsOkAndHolds(std::string("kept\n")));
  EXPECT_THAT(Entries(), ElementsAre("scored.csv"));
}

TEST_F(FilesTest, MoveAssignmentAbandonsTheOverwrittenFile) {
  Result<AtomicOutputFile> first = AtomicOutputFile::Create(PathOf("first.csv"));
  Result<AtomicOutputFile> second = AtomicOutputFile::Create(PathOf("second.csv"));
  ASSERT_THAT(first, IsOk());
  ASSERT_THAT(second, IsOk());
  ASSERT_THAT(first->Write("first\n"), IsOk());
  ASSERT_THAT(second->Write("second\n"), IsOk());
  EXPECT_THAT(Entries(), SizeIs(2));
  *first = std::move(*second);
  // first's temporary is gone; only second's remains, now owned by first.
  EXPECT_THAT(Entries(), ElementsAre(StartsWith("second.csv.")));
  ASSERT_THAT(first->Commit(), IsOk());
  EXPECT_THAT(Entries(), ElementsAre("second.csv"));
  EXPECT_THAT(ReadFile(PathOf("second.csv")), IsOkAndHolds(std::string("second\n")));
}

TEST_F(FilesTest, WrittenFileReadsBackExactly) {
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes.push_back(static_cast<char>(i));
  const std::string path = PathOf("bytes.bin");
  Result<AtomicOutputFile> out = AtomicOutputFile::Create(path);
  ASSERT_THAT(out, IsOk());
  ASSERT_THAT(out->Write(bytes), IsOk());
  ASSERT_THAT(out->Write(""), IsOk());
  ASSERT_THAT(out->Commit(), IsOk());
  EXPECT_THAT(ReadFile(path), IsOkAndHolds(bytes));
}

// ---- AtomicOutputFile on what is not a regular file (issue 14) ----------------
// It used to rename its temporary over whatever the path named: a symbolic
// link became a regular file, and so did a FIFO or /dev/stdout.

TEST_F(FilesTest, ASymlinkStaysALinkAndItsTargetIsReplaced) {
  const std::string target = PathOf("real.csv");
  const std::string link = PathOf("link.csv");
  WriteWithStdio(target, "old\n");
  fs::create_symlink("real.csv", link);
  Result<AtomicOutputFile> out = AtomicOutputFile::Create(link);
  ASSERT_THAT(out, IsOk());
  ASSERT_THAT(out->Write("new\n"), IsOk());
  EXPECT_THAT(ReadFile(target), IsOkAndHolds(std::string("old\n")));
  ASSERT_THAT(out->Commit(), IsOk());
  EXPECT_TRUE(fs::is_symlink(link));
  EXPECT_THAT(ReadFile(target), IsOkAndHolds(std::string("new\n")));
  EXPECT_THAT(Entries(), ElementsAre("link.csv", "real.csv"));
}

TEST_F(FilesTest, AChainOfLinksIsFollowedToItsEnd) {
  fs::create_directories(dir_ / "sub");
  WriteWithStdio(PathOf("sub/real.csv"), "old\n");
  fs::create_symlink("sub/real.csv", PathOf("first.csv"));
  fs::create_symlink(PathOf("first.csv"), PathOf("second.csv"));
  Result<AtomicOutputFile> out = AtomicOutputFile::Create(PathOf("second.csv"));
  ASSERT_THAT(out, IsOk());
  ASSERT_THAT(out->Write("new\n"), IsOk());
  ASSERT_THAT(out->Commit(), IsOk());
  EXPECT_TRUE(fs::is_symlink(PathOf("first.csv")));
  EXPECT_TRUE(fs::is_symlink(PathOf("second.csv")));
  EXPECT_THAT(ReadFile(PathOf("sub/real.csv")), IsOkAndHolds(std::string("new\n")));
}

TEST_F(FilesTest, ADanglingLinkGetsItsTargetCreated) {
  fs::create_symlink("later.csv", PathOf("link.csv"));
  Result<AtomicOutputFile> out = AtomicOutputFile::Create(PathOf("link.csv"));
  ASSERT_THAT(out, IsOk());
  ASSERT_THAT(out->Write("x\n"), IsOk());
  ASSERT_THAT(out->Commit(), IsOk());
  EXPECT_TRUE(fs::is_symlink(PathOf("link.csv")));
  EXPECT_THAT(ReadFile(PathOf("later.csv")), IsOkAndHolds(std::string("x\n")));
}

TEST_F(FilesTest, ADirectoryIsRefused) {
  fs::create_directories(dir_ / "out");
  fs::create_symlink("out", PathOf("to_out"));
  for (const std::string& path : {PathOf("out"), PathOf("to_out")}) {
    Result<AtomicOutputFile> out = AtomicOutputFile::Create(path);
    EXPECT_THAT(out, HasErrorCode(ErrorCode::kInvalidArgument));
    if (!out) {
      EXPECT_THAT(out.error().message, HasSubstr(path + ": it is a directory"));
    }
  }
  EXPECT_THAT(Entries(), ElementsAre("out", "to_out"));
}

// Reads a FIFO to its end on another thread, as a downstream process would.
class FifoReader {
 public:
  explicit FifoReader(std::string path)
      : thread_([this, path = std::move(path)] {
          // read(2), not an ifstream: GCC's -O3 -Wnull-dereference flags
          // istreambuf_iterator's inlined buffer pointers.
          const int fd = ::open(path.c_str(), O_RDONLY);
          if (fd < 0) return;
          char buffer[4096];
          for (ssize_t got; (got = ::read(fd, buffer, sizeof buffer)) > 0;) {
            text_.append(buffer, static_cast<std::size_t>(got));
          }
          ::close(fd);
        }) {}
  std::string Finish() {
    thread_.join();
    return text_;
  }

 private:
  std::string text_;
  std::thread thread_;
};

TEST_F(FilesTest, AFifoIsWrittenThroughOnCommit) {
  const std::string fifo = PathOf("pipe");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  FifoReader reader(fifo);
  Result<AtomicOutputFile> out = AtomicOutputFile::Create(fifo);
  ASSERT_THAT(out, IsOk());
  ASSERT_THAT(out->Write("a,b\n"), IsOk());
  ASSERT_THAT(out->Write("1,2\n"), IsOk());
  ASSERT_THAT(out->Commit(), IsOk());
  EXPECT_EQ(reader.Finish(), "a,b\n1,2\n");
  EXPECT_TRUE(fs::is_fifo(fifo));
  EXPECT_THAT(Entries(), ElementsAre("pipe"));
}

TEST_F(FilesTest, AFifoAbandonedGetsNothing) {
  const std::string fifo = PathOf("pipe");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  FifoReader reader(fifo);
  {
    Result<AtomicOutputFile> out = AtomicOutputFile::Create(fifo);
    ASSERT_THAT(out, IsOk());
    ASSERT_THAT(out->Write("half a file"), IsOk());
  }
  EXPECT_EQ(reader.Finish(), "");
  EXPECT_TRUE(fs::is_fifo(fifo));
}

TEST_F(FilesTest, ADeviceIsWrittenThrough) {
  Result<AtomicOutputFile> out = AtomicOutputFile::Create("/dev/null");
  ASSERT_THAT(out, IsOk());
  ASSERT_THAT(out->Write("discarded\n"), IsOk());
  ASSERT_THAT(out->Commit(), IsOk());
  EXPECT_TRUE(fs::is_character_file("/dev/null"));
}

TEST_F(FilesTest, AProcFdLinkSharesTheOpenFileAndItsAppendMode) {
  // /dev/stdout is /proc/self/fd/1: here fd is a log opened for appending, as
  // `cirrus ... --output /dev/stdout >> log.csv` would give.
  const std::string log = PathOf("log.csv");
  WriteWithStdio(log, "earlier\n");
  const int fd = ::open(log.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  Result<AtomicOutputFile> out = AtomicOutputFile::Create("/proc/self/fd/" + std::to_string(fd));
  ASSERT_THAT(out, IsOk());
  ASSERT_THAT(out->Write("new\n"), IsOk());
  ASSERT_THAT(out->Commit(), IsOk());
  ::close(fd);
  EXPECT_THAT(ReadFile(log), IsOkAndHolds(std::string("earlier\nnew\n")));
  EXPECT_THAT(Entries(), ElementsAre("log.csv"));
}

// ---- OutputDirectory (issue 14) -------------------------------------------------
// Exports used to write their files into the folder beside whatever an earlier
// export had left there.

constexpr std::string_view kExportNames[] = {"labs.csv", "sites.csv", "DM.csv"};

TEST_F(FilesTest, OutputDirectoryReplacesAnEarlierExportWhole) {
  const fs::path out = dir_ / "export";
  fs::create_directories(out);
  WriteWithStdio((out / "labs.csv").string(), "old labs\n");
  WriteWithStdio((out / "sites.csv").string(), "old sites\n");
  Result<OutputDirectory> folder = OutputDirectory::Create(out.string(), kExportNames);
  ASSERT_THAT(folder, IsOk());
  WriteWithStdio(folder->staging() + "/DM.csv", "new\n");
  EXPECT_THAT(ReadFile((out / "labs.csv").string()), IsOkAndHolds(std::string("old labs\n")));
  ASSERT_THAT(folder->Commit(), IsOk());
  EXPECT_THAT(Entries(), ElementsAre("export"));
  std::vector<std::string> names;
  for (const fs::directory_entry& entry : fs::directory_iterator(out)) names.push_back(entry.path().filename());
  EXPECT_THAT(names, ElementsAre("DM.csv"));
}

TEST_F(FilesTest, OutputDirectoryMakesAMissingFolderAndItsParents) {
  const fs::path out = dir_ / "a" / "b";
  Result<OutputDirectory> folder = OutputDirectory::Create(out.string() + "/", kExportNames);
  ASSERT_THAT(folder, IsOk());
  WriteWithStdio(folder->staging() + "/labs.csv", "x\n");
  ASSERT_THAT(folder->Commit(), IsOk());
  EXPECT_THAT(ReadFile((out / "labs.csv").string()), IsOkAndHolds(std::string("x\n")));
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_ / "a"), fs::directory_iterator()), 1);
}

TEST_F(FilesTest, OutputDirectoryAbandonedLeavesTheEarlierExport) {
  const fs::path out = dir_ / "export";
  fs::create_directories(out);
  WriteWithStdio((out / "labs.csv").string(), "old\n");
  {
    Result<OutputDirectory> folder = OutputDirectory::Create(out.string(), kExportNames);
    ASSERT_THAT(folder, IsOk());
    WriteWithStdio(folder->staging() + "/labs.csv", "half\n");
  }
  EXPECT_THAT(Entries(), ElementsAre("export"));
  EXPECT_THAT(ReadFile((out / "labs.csv").string()), IsOkAndHolds(std::string("old\n")));
}

TEST_F(FilesTest, OutputDirectoryRefusesAFolderWithOtherFiles) {
  const fs::path out = dir_ / "home";
  fs::create_directories(out / "sub");
  WriteWithStdio((out / "labs.csv").string(), "old\n");
  WriteWithStdio((out / "notes.txt").string(), "mine\n");
  Result<OutputDirectory> folder = OutputDirectory::Create(out.string(), kExportNames);
  ASSERT_THAT(folder, HasErrorCode(ErrorCode::kInvalidArgument));
  EXPECT_THAT(folder.error().message, HasSubstr("which no cirrus export writes"));
  fs::remove(out / "notes.txt");
  EXPECT_THAT(OutputDirectory::Create(out.string(), kExportNames), HasErrorCode(ErrorCode::kInvalidArgument));
  EXPECT_THAT(Entries(), ElementsAre("home"));
}

TEST_F(FilesTest, OutputDirectoryRefusesAFile) {
  WriteWithStdio(PathOf("labs.csv"), "x\n");
  Result<OutputDirectory> folder = OutputDirectory::Create(PathOf("labs.csv"), kExportNames);
  ASSERT_THAT(folder, HasErrorCode(ErrorCode::kInvalidArgument));
  EXPECT_THAT(folder.error().message, HasSubstr("is a file"));
}

TEST_F(FilesTest, OutputDirectoryKeepsTheFoldersPermissionsAndLink) {
  const fs::path out = dir_ / "private";
  fs::create_directories(out);
  fs::permissions(out, fs::perms::owner_all);
  fs::create_symlink("private", dir_ / "link");
  Result<OutputDirectory> folder = OutputDirectory::Create(PathOf("link"), kExportNames);
  ASSERT_THAT(folder, IsOk());
  WriteWithStdio(folder->staging() + "/labs.csv", "x\n");
  ASSERT_THAT(folder->Commit(), IsOk());
  EXPECT_TRUE(fs::is_symlink(dir_ / "link"));
  EXPECT_EQ(fs::status(out).permissions(), fs::perms::owner_all);
  EXPECT_THAT(ReadFile((out / "labs.csv").string()), IsOkAndHolds(std::string("x\n")));
  EXPECT_THAT(Entries(), ElementsAre("link", "private"));
}

// ---- WriteStdout ----------------------------------------------------------------

TEST(WriteStdout, WritesEveryByte) {
  ::testing::internal::CaptureStdout();
  const Status status = WriteStdout("score,1\n");
  const std::string captured = ::testing::internal::GetCapturedStdout();
  EXPECT_THAT(status, IsOk());
  EXPECT_EQ(captured, "score,1\n");
}

}  // namespace
}  // namespace cirrus::io

namespace cirrus::io {
namespace {

TEST(AtomicOutputFilePermissions, FollowTheUmaskLikeAPlainCreate) {
  // The committed file gets 0666 & ~umask, as if it had been created directly.
  const std::string path = std::string(::testing::TempDir()) + "/cirrus_perm_" + std::to_string(::getpid()) + ".csv";
  const mode_t old_mask = ::umask(027);
  auto file = AtomicOutputFile::Create(path);
  ASSERT_THAT(file, IsOk());
  ASSERT_THAT(file->Write("x\n"), IsOk());
  ASSERT_THAT(file->Commit(), IsOk());
  ::umask(old_mask);
  struct stat info {};
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0640U);
  ::unlink(path.c_str());
}

}  // namespace
}  // namespace cirrus::io
