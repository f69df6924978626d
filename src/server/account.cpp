// Account helpers: wire rating conversion and name/password validation.
#include "server/account.hpp"

#include <cmath>
#include <limits>

namespace checkers::server {

uint32_t Glicko::wire_rating() const {
  if (std::isnan(rating) || rating <= 0.0) return 0;
  const double rounded = std::round(rating);
  constexpr double kMax = std::numeric_limits<uint32_t>::max();
  if (rounded >= kMax) return std::numeric_limits<uint32_t>::max();
  return static_cast<uint32_t>(rounded);
}

bool valid_username(std::string_view name) {
  return !name.empty() && name.size() <= kMaxUsernameBytes &&
         name.find('\0') == std::string_view::npos;
}

bool valid_password(std::string_view password) { return password.size() <= kMaxPasswordBytes; }

}  // namespace checkers::server
