// TempDir: a fresh directory under $TMPDIR (or /tmp) removed with everything in
// it when the object dies. Tests put data dirs, port files and logs there.
#pragma once

#include <filesystem>
#include <string_view>

namespace checkers::test {

class TempDir {
 public:
  explicit TempDir(std::string_view prefix = "checkers-test");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  TempDir(TempDir&& other) noexcept;
  TempDir& operator=(TempDir&&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(std::string_view name) const { return path_ / name; }
  // Keep the directory after destruction (for post-mortem debugging).
  void keep() { keep_ = true; }

 private:
  std::filesystem::path path_;
  bool keep_ = false;
};

}  // namespace checkers::test
