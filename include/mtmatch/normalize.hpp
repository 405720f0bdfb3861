#pragma once
/// @file normalize.hpp
/// One canonical form for every spelling of the same sequence: reconstruct the sequence over the
/// covered range, then re-derive the variants with one deterministic alignment rule.

#include <span>
#include <string>
#include <vector>

#include "mtmatch/range.hpp"
#include "mtmatch/variant.hpp"

namespace mtmatch {

/// The sequence a profile spells over each interval of its range (one string per interval, in the
/// order of range::intervals()): rCRS with the variants applied; IUPAC codes kept as written.
/// Insertions after the last position of an interval are not part of it (range::contains_insertion).
/// This is the slow, obviously right oracle that the canonical form is tested against.
[[nodiscard]] std::vector<std::string> reconstruct(const range& coverage, std::span<const variant> variants);

/// The canonical variants of a raw spelling: a function of reconstruct(coverage, raw) alone, so that
/// equivalent spellings give identical results. Indels in repeats sit at their 3'-most place (forensic
/// phylogenetic notation), a repeat unit inserted or deleted once is one variant, contiguous deleted
/// bases are one deletion, and variants at 3107 (the placeholder) are dropped.
/// Throws mtmatch::error for spellings that do not describe a sequence (overlapping deletions, a
/// substitution inside a deletion, …).
[[nodiscard]] std::vector<variant> canonicalize(const range& coverage, std::span<const variant> raw);

/// True for an indel inside a length-variable stretch — the C-tracts 16184-16193, 303-315, 568-573
/// and the AC repeat 515-524 — which forensic comparison ignores by default.
[[nodiscard]] bool is_length_variant(const variant& v) noexcept;

}  // namespace mtmatch
