#include "client/xdg.hpp"

#include <cstdlib>

namespace checkers::client {

std::filesystem::path checkers_dir(XdgBase base) {
  namespace fs = std::filesystem;
  const bool state = base == XdgBase::State;
  if (const char* xdg = std::getenv(state ? "XDG_STATE_HOME" : "XDG_DATA_HOME");
      xdg != nullptr && *xdg == '/')
    return fs::path(xdg) / "checkers";
  if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0')
    return fs::path(home) / ".local" / (state ? "state" : "share") / "checkers";
  return fs::temp_directory_path() / "checkers";
}

}  // namespace checkers::client
