// Run-time choice of the kernel build: the best one the CPU has, or MTMATCH_FORCE_ISA.
// Compiled for the x86-64 baseline like the rest of the library; it only asks the CPU.

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <string>

#include "mtmatch/error.hpp"
#include "mtmatch/isa.hpp"

namespace mtmatch {

const char* to_string(isa level) noexcept {
  switch (level) {
    case isa::scalar: return "scalar";
    case isa::avx2: return "avx2";
    case isa::avx512: return "avx512";
  }
  return "unknown";
}

isa parse_isa(std::string_view text) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (lower == "scalar") return isa::scalar;
  if (lower == "avx2") return isa::avx2;
  if (lower == "avx512") return isa::avx512;
  source_location where;
  where.token = std::string(text);
  throw error(where, "unknown instruction set; expected scalar, avx2 or avx512");
}

bool cpu_supports(isa level) noexcept {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  // libgcc's cpu model also checks that the OS saves the AVX/AVX-512 state (XCR0).
  __builtin_cpu_init();
  switch (level) {
    case isa::scalar: return true;
    case isa::avx2: return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("popcnt") && __builtin_cpu_supports("bmi2");
    case isa::avx512:
      return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
             __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl") &&
             __builtin_cpu_supports("avx512vpopcntdq") && __builtin_cpu_supports("popcnt");
  }
  return false;
#else
  return level == isa::scalar;
#endif
}

std::vector<isa> supported_isas() {
  std::vector<isa> out;
  for (isa level : {isa::scalar, isa::avx2, isa::avx512})
    if (cpu_supports(level)) out.push_back(level);
  return out;
}

namespace detail {

isa resolve_isa(const char* forced) {
  const isa best = supported_isas().back();
  if (forced == nullptr || *forced == '\0') return best;
  isa wanted = isa::scalar;
  try {
    wanted = parse_isa(forced);
  } catch (const error& e) {
    throw error(std::string("MTMATCH_FORCE_ISA: ") + e.what());
  }
  if (!cpu_supports(wanted))
    throw error(std::string("MTMATCH_FORCE_ISA=") + forced + ": this CPU cannot run the " + to_string(wanted) +
                " kernels (best available here: " + to_string(best) + ")");
  return wanted;
}

}  // namespace detail

namespace {

struct isa_choice {
  isa level = isa::scalar;
  std::string problem;  // non-empty when MTMATCH_FORCE_ISA cannot be honoured
};

isa_choice choose() noexcept {
  isa_choice choice;
  try {
    choice.level = detail::resolve_isa(std::getenv("MTMATCH_FORCE_ISA"));
  } catch (const std::exception& e) {
    choice.problem = e.what();
  }
  return choice;
}

}  // namespace

isa active_isa() {
  static const isa_choice choice = choose();
  if (!choice.problem.empty()) throw error(choice.problem);
  return choice.level;
}

}  // namespace mtmatch
