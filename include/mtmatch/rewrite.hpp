#pragma once
/// @file rewrite.hpp
/// Random *equivalent* spellings of a profile, for tests and for the simulator: the same sequence
/// written the many ways labs write it. The variants are re-aligned at random (indels moved within
/// their repeats, insertions and deletions split or merged, `309d 315.1C` ↔ `309T 310C`,
/// `16183d 16193.1C 16193.2C` ↔ `16183C 16188T 16189C 16193.1C`), then written in a random mix of
/// EMPOP, ISFG, HaploGrep and PhyloTree notations (`249d`/`249-`/`A249-`/`249DEL`/`249delA`,
/// `C16223T`, `16223t`, `309.1C 309.2C`/`309.1CC`/`309+CC`/`-309.1C`, `8281-8289d`/`8281d … 8289d`),
/// in shuffled order with spaces, tabs or commas between tokens.
///
/// Example:
/// @code
///   std::mt19937_64 rng(7);
///   mtmatch::profile p = mtmatch::profile::parse("73G 263G 309.1C 315.1C 8281-8289d");
///   std::string text = mtmatch::rewrite_equivalent(p.coverage, p.variants, rng);
///   // e.g. "315+C\t8280-8288d, a73g 263G 303.1C" — and profile::parse(text) == p
/// @endcode

#include <cstdint>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "mtmatch/range.hpp"
#include "mtmatch/variant.hpp"

namespace mtmatch {

/// How far rewrite_equivalent() strays from the spelling it is given.
struct rewrite_options {
  /// Probability of re-aligning each cluster of nearby variants at random.
  double realign_probability = 0.8;
  /// Changed bases a re-aligned cluster may spend above its shortest spelling: 0 keeps only spellings
  /// as short as the best (`309d 315.1C` ↔ `309T 310C`); 1 or 2 also allow longer ones such as
  /// `16183C 16188T 16189C 16193.1C` for `16183d 16193.1C 16193.2C`.
  int extra_bases = 1;
  /// Write each variant in a randomly chosen accepted notation (else the forensic form, to_string).
  bool vary_notation = true;
  /// Shuffle the tokens and mix separators (spaces, tabs, commas).
  bool shuffle = true;

  /// Throws mtmatch::error unless 0 <= realign_probability <= 1 and 0 <= extra_bases <= 8.
  void validate() const;
};

/// Random raw variants spelling the same sequence as `variants` over `coverage`:
/// reconstruct(coverage, result) == reconstruct(coverage, variants). Variants at 3107 and outside the
/// range are dropped (they spell nothing). Throws mtmatch::error for variants canonicalize() rejects.
[[nodiscard]] std::vector<variant> random_equivalent_variants(const range& coverage, std::span<const variant> variants,
                                                              std::mt19937_64& rng, const rewrite_options& options = {});

/// Random text for `variants` (each variant one or more tokens), which parse_variants() reads back
/// as the same variants up to the joining of contiguous pieces.
[[nodiscard]] std::string random_notation(std::span<const variant> variants, std::mt19937_64& rng,
                                          const rewrite_options& options = {});

/// random_notation(random_equivalent_variants(coverage, variants, rng, options), rng, options).
[[nodiscard]] std::string rewrite_equivalent(const range& coverage, std::span<const variant> variants,
                                             std::mt19937_64& rng, const rewrite_options& options = {});

}  // namespace mtmatch
