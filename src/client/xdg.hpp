// The client's own directories under the XDG base directories: state (the log file, the
// known servers) and data (saved games). One rule for all: the XDG variable when it holds
// an absolute path, else its default under $HOME, else the temporary directory.
#pragma once

#include <filesystem>

namespace checkers::client {

enum class XdgBase {
  State,  // $XDG_STATE_HOME, default ~/.local/state
  Data,   // $XDG_DATA_HOME, default ~/.local/share
};

// The checkers directory under that base ("~/.local/state/checkers"); not created.
std::filesystem::path checkers_dir(XdgBase base);

}  // namespace checkers::client
