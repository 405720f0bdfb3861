#pragma once
/// @file version.hpp
/// Library version.

namespace mtmatch {
/// Semantic version of the library, "major.minor.patch".
inline constexpr const char* version = "0.1.0";
}  // namespace mtmatch
