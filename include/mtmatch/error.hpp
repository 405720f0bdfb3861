#pragma once
/// @file error.hpp
/// The one exception type of mtmatch, with the location of bad input when there is one.

#include <cstddef>
#include <stdexcept>
#include <string>

namespace mtmatch {

/// Where a piece of bad input sits. Lines and columns are 1-based; 0 means "not known".
struct source_location {
  std::string file;    ///< file name, or empty for a string given directly
  std::size_t line = 0;
  std::size_t column = 0;
  std::string token;   ///< the offending token, as written

  /// "file:line:column: token" (or "line L, column C: token") with the parts that are known.
  [[nodiscard]] std::string describe() const;
};

/// Thrown at the library's boundary (convenience overloads, CLI, Python) for bad input or misuse.
/// `what()` is the full message, location first, e.g.
/// `profiles.hsd:12:31: 73A: rCRS already has A at 73`.
class error : public std::runtime_error {
 public:
  explicit error(const std::string& reason) : std::runtime_error(reason), reason_(reason) {}
  error(source_location where, const std::string& reason)
      : std::runtime_error(compose(where, reason)), where_(std::move(where)), reason_(reason) {}

  [[nodiscard]] const source_location& where() const noexcept { return where_; }
  /// The reason alone, without the location.
  [[nodiscard]] const std::string& reason() const noexcept { return reason_; }

 private:
  static std::string compose(const source_location& where, const std::string& reason);
  source_location where_;
  std::string reason_;
};

}  // namespace mtmatch
