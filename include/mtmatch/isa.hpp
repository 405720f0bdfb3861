#pragma once
/// @file isa.hpp
/// Which instruction set the matching kernels use. One binary carries a scalar, an AVX2 and an
/// AVX-512 (VPOPCNTDQ) build of every kernel and picks the best one the CPU has at run time.
/// The environment variable `MTMATCH_FORCE_ISA=scalar|avx2|avx512` pins one, for tests and
/// benchmarks.

#include <cstdint>
#include <string_view>
#include <vector>

namespace mtmatch {

/// An instruction-set level of the kernels.
enum class isa : std::uint8_t {
  scalar = 0,  ///< any x86-64: 64-bit words, portable popcount
  avx2 = 1,    ///< AVX2 with the nibble-table (Mula) popcount
  avx512 = 2,  ///< AVX-512 F/BW/DQ/VL with VPOPCNTDQ
};

/// "scalar", "avx2" or "avx512".
[[nodiscard]] const char* to_string(isa level) noexcept;

/// Parses "scalar", "avx2" or "avx512" (case-insensitive). Throws mtmatch::error naming the text.
[[nodiscard]] isa parse_isa(std::string_view text);

/// True when this CPU (and its operating system) can run the kernels of `level`.
[[nodiscard]] bool cpu_supports(isa level) noexcept;

/// Every level this CPU can run, lowest first; always starts with isa::scalar.
[[nodiscard]] std::vector<isa> supported_isas();

/// The level the kernels run at: `MTMATCH_FORCE_ISA` when set, otherwise the best one the CPU has.
/// Read once and cached. Throws mtmatch::error when the variable names an unknown level or one the
/// CPU lacks, e.g. `MTMATCH_FORCE_ISA=avx512` on an AVX2-only machine.
/// Example: `std::printf("%s\n", mtmatch::to_string(mtmatch::active_isa()));` prints `avx512`.
[[nodiscard]] isa active_isa();

namespace detail {
/// What active_isa() decides for a given value of MTMATCH_FORCE_ISA (null or "" = not set).
[[nodiscard]] isa resolve_isa(const char* forced);
}  // namespace detail

}  // namespace mtmatch
