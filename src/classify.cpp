#include "mtmatch/classify.hpp"

#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <memory>

#include "detail/phylotree_impl.hpp"
#include "mtmatch/normalize.hpp"
#include "mtmatch/reference.hpp"

namespace mtmatch {

void classify_options::validate() const {
  if (hits < 1) throw error("classify_options: hits must be at least 1, not " + std::to_string(hits));
}

const char* to_string(remaining_kind k) noexcept {
  switch (k) {
    case remaining_kind::hotspot: return "hotspot";
    case remaining_kind::local_private: return "localPrivateMutation";
    case remaining_kind::global_private: return "globalPrivateMutation";
  }
  return "?";
}

namespace {

using detail::token_id;
using impl = phylotree::impl;

__extension__ typedef __int128 wide;

// The Kulczynski measure as an exact fraction of integer weight sums (thousandths), so that equal
// scores compare equal whatever order the weights were added in.
//   K = 0.5·F/S + 0.5·F/E, with F/E read as 1 when E = 0 (HaploGrep) and F/S as 0 when S = 0.
struct score {
  wide num = 0;
  wide den = 1;  // > 0
};

score exact_score(std::int64_t f, std::int64_t e, std::int64_t s) noexcept {
  score k;
  if (s != 0 && e != 0) {
    k.num = static_cast<wide>(f) * (static_cast<wide>(e) + s);
    k.den = static_cast<wide>(2) * s * e;
  } else if (s != 0) {
    k.num = static_cast<wide>(f) + s;
    k.den = static_cast<wide>(2) * s;
  } else if (e != 0) {
    k.num = f;
    k.den = static_cast<wide>(2) * e;
  } else {  // nothing observed, nothing expected (the rCRS against H2a2a1): a perfect match
    k.num = 1;
    k.den = 1;
  }
  if (k.den < 0) {
    k.num = -k.num;
    k.den = -k.den;
  }
  return k;
}

bool greater(const score& a, const score& b) noexcept { return a.num * b.den > b.num * a.den; }
bool same(const score& a, const score& b) noexcept { return a.num * b.den == b.num * a.den; }

double to_double(std::int64_t f, std::int64_t e, std::int64_t s) noexcept {
  const double fd = static_cast<double>(f) / detail::weight_scale;
  const double sd = static_cast<double>(s) / detail::weight_scale;
  const double ed = static_cast<double>(e) / detail::weight_scale;
  if (s == 0 && e == 0) return 1.0;
  return (s != 0 ? fd / sd : 0.0) * 0.5 + (e != 0 ? fd / ed : 1.0) * 0.5;
}

// A profile poly and the tree tokens it matches.
struct sample_poly {
  tree_poly poly;
  std::int64_t weight_milli = 0;  // its share of w(S)
  std::uint32_t match_begin = 0;  // into workspace::matches
  std::uint32_t match_end = 0;
};

// What depends only on the range: which tokens are inside it and each haplogroup's w(E).
struct range_entry {
  range coverage;
  std::vector<std::uint8_t> in_range;  // per token
  std::vector<std::int64_t> expected;  // per slot: w(E) in thousandths
  std::vector<double> half_inverse;    // per slot: 0.5 / E (0 when E = 0)
  std::vector<double> constant;        // per slot: 0.5 when E = 0, else 0
  std::uint64_t last_used = 0;
};

struct hit {
  score k;
  std::int32_t slot;
  std::int64_t f;
};

// The profile as HaploGrep sees it. Extra Cs in the two C-tracts whose length HaploGrep ignores
// (16184-16193, 303-315: its hotspots 16193.1C, 309.1C, 315.1C) are taken out of the sequence before
// the variants are written, so that the canonical alignment of a length heteroplasmy cannot swallow a
// tree-defining substitution next to it (`16187T 16189C 16193.1C` would otherwise be written
// `16186.1T 16189C`). Of the ways to remove them, the one leaving the fewest substitutions wins, the
// 3'-most on ties. The removed Cs are returned as the hotspot insertion of their tract.
std::vector<variant> haplogrep_view(const profile& p, std::vector<tree_poly>& dropped) {
  struct tract {
    std::int32_t first, last, anchor;  // window around the tract; the hotspot insertion's anchor
  };
  static constexpr tract tracts[] = {{16180, 16196, 16193}, {300, 318, 315}};
  std::vector<variant> out = p.variants;
  bool changed = false;
  for (const tract& w : tracts) {
    if (!p.coverage.contains_all(w.first, w.last)) continue;
    std::vector<variant> inside;
    bool crossing = false;
    for (const variant& v : out) {
      const bool touches = v.kind == variant_kind::insertion ? (w.first <= v.position && v.position < w.last)
                                                             : (v.position <= w.last && v.last() >= w.first);
      if (!touches) continue;
      if (v.position < w.first || v.last() > w.last || (v.kind == variant_kind::insertion && v.position >= w.last)) crossing = true;
      inside.push_back(v);
    }
    if (inside.empty() || crossing) continue;
    const range window(std::vector<interval>{{w.first, w.last}});
    std::string seq;
    try {
      seq = reconstruct(window, inside).at(0);
    } catch (const error&) {
      continue;
    }
    const std::string_view ref = rcrs().slice(w.first, w.last);
    const auto extra = static_cast<std::int64_t>(seq.size()) - static_cast<std::int64_t>(ref.size());
    if (extra <= 0 || extra > 3) continue;
    // Only a surplus of Cs is length heteroplasmy; an inserted T (J2a1a1a's 310.1T) is a variant.
    std::array<std::int64_t, 256> surplus{};
    for (char c : seq) ++surplus[static_cast<unsigned char>(c)];
    for (char c : ref) --surplus[static_cast<unsigned char>(c)];
    surplus[static_cast<unsigned char>('C')] -= extra;
    if (std::any_of(surplus.begin(), surplus.end(), [](std::int64_t n) { return n != 0; })) continue;
    // Try every set of `extra` Cs to remove; keep the fewest substitutions, then the 3'-most.
    std::vector<std::size_t> cs;
    for (std::size_t i = 0; i < seq.size(); ++i) {
      if (seq[i] == 'C') cs.push_back(i);
    }
    if (cs.size() < static_cast<std::size_t>(extra)) continue;
    std::vector<std::size_t> pick(static_cast<std::size_t>(extra));
    std::vector<std::size_t> best_pick;
    std::size_t best_mismatch = seq.size() + 1;
    std::function<void(std::size_t, std::size_t)> choose = [&](std::size_t depth, std::size_t from) {
      if (depth == pick.size()) {
        std::size_t mismatch = 0;
        std::size_t k = 0;
        for (std::size_t i = 0, d = 0; i < seq.size(); ++i) {
          if (d < pick.size() && pick[d] == i) {
            ++d;
            continue;
          }
          if (seq[i] != ref[k++]) ++mismatch;
        }
        if (mismatch < best_mismatch || (mismatch == best_mismatch && pick > best_pick)) {
          best_mismatch = mismatch;
          best_pick = pick;
        }
        return;
      }
      for (std::size_t c = from; c < cs.size(); ++c) {
        pick[depth] = cs[c];
        choose(depth + 1, c + 1);
      }
    };
    choose(0, 0);
    std::vector<variant> rest;
    for (const variant& v : out) {
      if (std::find(inside.begin(), inside.end(), v) == inside.end()) rest.push_back(v);
    }
    for (std::size_t i = 0, d = 0, k = 0; i < seq.size(); ++i) {
      if (d < best_pick.size() && best_pick[d] == i) {
        ++d;
        continue;
      }
      const std::int32_t pos = w.first + static_cast<std::int32_t>(k);
      if (seq[i] != ref[k]) rest.push_back({pos, variant_kind::substitution, 1, std::string(1, seq[i]), false});
      ++k;
    }
    std::sort(rest.begin(), rest.end());
    out = std::move(rest);
    // Report what was left out as the profile wrote it (309.1C, 315.1C), else as the tract's hotspot.
    std::vector<tree_poly> insertions;
    std::int64_t inserted = 0;
    for (const variant& v : inside) {
      if (v.kind != variant_kind::insertion || v.bases.find_first_not_of('C') != std::string::npos) continue;
      inserted += v.length;
      for (tree_poly& q : split_variant(v)) insertions.push_back(std::move(q));
    }
    if (inserted == extra) {
      dropped.insert(dropped.end(), insertions.begin(), insertions.end());
    } else {
      dropped.push_back({w.anchor, variant_kind::insertion, 1, std::string(static_cast<std::size_t>(extra), 'C')});
    }
    changed = true;
  }
  if (!changed) return out;
  try {
    return canonicalize(p.coverage, out);
  } catch (const error&) {
    dropped.clear();
    return p.variants;
  }
}

// Per-thread scratch for one tree.
class workspace {
 public:
  explicit workspace(const impl& t) : t_(t) {
    const std::size_t n = t.xml_order.size();
    difference_.assign(n + 1, 0);
    found_.assign(t.tokens.size(), 0);
  }

  [[nodiscard]] const impl& tree() const noexcept { return t_; }

  /// Ranks the haplogroups for `p`; fills `hits` (best first, at most `count`).
  void rank(const profile& p, int count, std::vector<hit>& hits) {
    prepare(p);
    const range_entry& r = range_for(p.coverage);
    hits.clear();
    // w(F) per slot by a difference array over XML subtrees: a found token adds its weight to the
    // subtree of every branch it is written on.
    for (token_id tok : found_list_) {
      const auto id = static_cast<std::size_t>(tok);
      if (!r.in_range[id]) continue;
      for (std::uint32_t k = t_.token_op_begin[id]; k < t_.token_op_begin[id + 1]; ++k) {
        const detail::token_op& op = t_.token_ops[k];
        difference_[static_cast<std::size_t>(op.slot)] += op.weight_milli;
        difference_[static_cast<std::size_t>(t_.xml_subtree_end[static_cast<std::size_t>(op.slot)])] -= op.weight_milli;
      }
    }
    const std::size_t n = t_.xml_order.size();
    const double half_inverse_s = sample_weight_ != 0 ? 0.5 / static_cast<double>(sample_weight_) : 0.0;
    // Scores within this margin of the current last hit are compared exactly.
    constexpr double margin = 1e-9;
    double threshold = -std::numeric_limits<double>::infinity();
    std::int64_t f = 0;
    for (std::size_t slot = 0; slot < n; ++slot) {
      f += difference_[slot];
      const double fd = static_cast<double>(f);
      // With nothing observed (S = 0) an empty expectation is a perfect match (exact_score).
      const double approx = sample_weight_ != 0 ? fd * (half_inverse_s + r.half_inverse[slot]) + r.constant[slot]
                            : r.expected[slot] == 0 ? 1.0
                                                    : fd * r.half_inverse[slot];
      if (approx < threshold) continue;
      const score k = exact_score(f, r.expected[slot], sample_weight_);
      if (hits.empty() || greater(k, hits.front().k)) {
        ties_ = 1;
        tie_ancestor_ = t_.xml_order[slot];
      } else if (same(k, hits.front().k)) {
        ++ties_;
        tie_ancestor_ = lca(tie_ancestor_, t_.xml_order[slot]);
      }
      if (static_cast<int>(hits.size()) == count && !greater(k, hits.back().k)) continue;
      // Insert after every hit that is at least as good (equal scores keep file order).
      auto pos = std::find_if(hits.begin(), hits.end(), [&](const hit& h) { return greater(k, h.k); });
      hits.insert(pos, hit{k, static_cast<std::int32_t>(slot), f});
      if (static_cast<int>(hits.size()) > count) hits.pop_back();
      if (static_cast<int>(hits.size()) == count) {
        const hit& last = hits.back();
        threshold = to_double(last.f, r.expected[static_cast<std::size_t>(last.slot)], sample_weight_) - margin;
      }
    }
    std::fill(difference_.begin(), difference_.end(), 0);
  }

  [[nodiscard]] const range_entry& current_range() const noexcept { return *current_; }
  /// Number of haplogroups sharing the best score, and their deepest common ancestor.
  [[nodiscard]] std::int32_t ties() const noexcept { return ties_; }
  [[nodiscard]] node_id tie_ancestor() const noexcept { return tie_ancestor_; }
  [[nodiscard]] std::int64_t sample_weight() const noexcept { return sample_weight_; }
  [[nodiscard]] const std::vector<sample_poly>& sample() const noexcept { return sample_; }
  [[nodiscard]] std::span<const token_id> matches(const sample_poly& s) const noexcept {
    return {matches_.data() + s.match_begin, s.match_end - s.match_begin};
  }
  [[nodiscard]] bool found(token_id tok) const noexcept { return found_[static_cast<std::size_t>(tok)] != 0; }
  /// Length-heteroplasmy insertions the HaploGrep view left out (reported as hotspots).
  [[nodiscard]] const std::vector<tree_poly>& dropped() const noexcept { return dropped_; }

  /// Clears the per-profile marks (call after reading the details).
  void finish() {
    for (token_id tok : found_list_) found_[static_cast<std::size_t>(tok)] = 0;
    found_list_.clear();
  }

 private:
  void prepare(const profile& p) {
    finish();
    sample_.clear();
    matches_.clear();
    sample_weight_ = 0;
    dropped_.clear();
    const std::vector<variant> view = haplogrep_view(p, dropped_);
    for (const variant& v : view) {
      for (tree_poly& poly : split_variant(v)) {
        sample_poly s;
        s.match_begin = static_cast<std::uint32_t>(matches_.size());
        match(poly);
        s.match_end = static_cast<std::uint32_t>(matches_.size());
        // w(S): the weight of the poly itself (phylotree::weight; 0 for private polys and hotspots).
        const token_id same = t_.find_token(poly);
        s.weight_milli = same >= 0 ? t_.token_weight_milli[static_cast<std::size_t>(same)]
                                   : std::llround(detail::poly_weight(t_, poly) * detail::weight_scale);
        sample_weight_ += s.weight_milli;
        s.poly = std::move(poly);
        sample_.push_back(std::move(s));
      }
    }
    for (std::size_t k = 0; k < matches_.size(); ++k) {
      auto& mark = found_[static_cast<std::size_t>(matches_[k])];
      if (!mark) {
        mark = 1;
        found_list_.push_back(matches_[k]);
      }
    }
  }

  // Appends the tokens `poly` counts as found (HaploGrep's Sample.contains()).
  void match(const tree_poly& poly) {
    switch (poly.kind) {
      case variant_kind::substitution: {
        const char base = poly.bases.empty() ? 'N' : poly.bases[0];
        if (auto it = t_.exact_index.find(detail::exact_key(poly.position, poly.kind, base)); it != t_.exact_index.end()) {
          matches_.push_back(it->second);
        }
        if (iupac::is_ambiguous(base)) {  // a heteroplasmy stands for each of its bases
          if (auto it = t_.substitutions_at.find(poly.position); it != t_.substitutions_at.end()) {
            const std::uint8_t code = iupac::bases_of(base);
            for (token_id tok : it->second) {
              const char b = t_.tokens[static_cast<std::size_t>(tok)].bases[0];
              const std::uint8_t one = iupac::bases_of(b);
              if (b != base && one != 0 && (one & (one - 1)) == 0 && (one & code) != 0) matches_.push_back(tok);
            }
          }
        }
        break;
      }
      case variant_kind::deletion:
        if (auto it = t_.exact_index.find(detail::exact_key(poly.position, poly.kind, 'd')); it != t_.exact_index.end()) {
          matches_.push_back(it->second);
        }
        break;
      case variant_kind::insertion:
        if (auto it = t_.insertions_at.find(poly.position); it != t_.insertions_at.end()) {
          // HaploGrep (haplogrep-core 2.x Polymorphism.equals) tells insertions apart by position only.
          for (token_id tok : it->second) matches_.push_back(tok);
        }
        break;
    }
  }

  const range_entry& range_for(const range& coverage) {
    ++clock_;
    for (auto& e : ranges_) {
      if (e->coverage == coverage) {
        e->last_used = clock_;
        current_ = e.get();
        return *e;
      }
    }
    if (ranges_.size() < 4) {
      ranges_.push_back(std::make_unique<range_entry>());
      entry_slot_ = ranges_.size() - 1;
    } else {
      entry_slot_ = static_cast<std::size_t>(
          std::min_element(ranges_.begin(), ranges_.end(), [](const auto& a, const auto& b) { return a->last_used < b->last_used; }) -
          ranges_.begin());
    }
    range_entry& e = *ranges_[entry_slot_];
    e.coverage = coverage;
    e.last_used = clock_;
    e.in_range.resize(t_.tokens.size());
    for (std::size_t id = 0; id < t_.tokens.size(); ++id) e.in_range[id] = coverage.contains(t_.tokens[id].position) ? 1 : 0;
    const std::size_t n = t_.xml_order.size();
    e.expected.assign(n, 0);
    e.half_inverse.assign(n, 0.0);
    e.constant.assign(n, 0.0);
    for (std::size_t slot = 0; slot < n; ++slot) {
      const std::int32_t parent = t_.xml_parent_slot[slot];
      std::int64_t sum = parent < 0 ? 0 : e.expected[static_cast<std::size_t>(parent)];
      for (std::uint32_t k = t_.op_begin[slot]; k < t_.op_begin[slot + 1]; ++k) {
        if (e.in_range[static_cast<std::size_t>(t_.ops[k].token)]) sum += t_.op_weight_milli[k];
      }
      e.expected[slot] = sum;
      if (sum != 0) {
        e.half_inverse[slot] = 0.5 / static_cast<double>(sum);
      } else {
        e.constant[slot] = 0.5;
      }
    }
    current_ = &e;
    return e;
  }

  node_id lca(node_id a, node_id b) const noexcept {
    while (!(a <= b && b < t_.subtree_end[static_cast<std::size_t>(a)])) a = t_.parent[static_cast<std::size_t>(a)];
    return a;
  }

  const impl& t_;
  std::vector<tree_poly> dropped_;
  std::int32_t ties_ = 0;
  node_id tie_ancestor_ = no_node;
  std::vector<std::int64_t> difference_;
  std::vector<std::uint8_t> found_;
  std::vector<token_id> found_list_;
  std::vector<sample_poly> sample_;
  std::vector<token_id> matches_;
  std::int64_t sample_weight_ = 0;
  std::vector<std::unique_ptr<range_entry>> ranges_;
  std::size_t entry_slot_ = 0;
  const range_entry* current_ = nullptr;
  std::uint64_t clock_ = 0;
};

// One workspace per thread and tree, reused across calls.
workspace& workspace_for(const phylotree& tree) {
  struct cached {
    std::uint64_t serial = 0;
    std::unique_ptr<workspace> space;
  };
  thread_local cached cache;
  const impl& t = tree.internals();
  if (!cache.space || cache.serial != t.serial) {
    cache.space = std::make_unique<workspace>(t);
    cache.serial = t.serial;
  }
  return *cache.space;
}

classification make_result(const profile& p, const phylotree& tree, workspace& ws, const std::vector<hit>& hits,
                           const classify_options& options) {
  const impl& t = tree.internals();
  classification c;
  c.id = p.id;
  c.coverage = p.coverage;
  const range_entry& r = ws.current_range();
  for (const hit& h : hits) {
    haplogroup_hit out;
    out.node = t.xml_order[static_cast<std::size_t>(h.slot)];
    out.name = t.names[static_cast<std::size_t>(out.node)];
    out.quality = to_double(h.f, r.expected[static_cast<std::size_t>(h.slot)], ws.sample_weight());
    c.hits.push_back(std::move(out));
  }
  if (!c.hits.empty()) {
    c.haplogroup = c.hits[0].node;
    c.name = c.hits[0].name;
    c.quality = c.hits[0].quality;
  }
  c.ties = ws.ties();
  c.common_ancestor = ws.tie_ancestor();
  if (c.common_ancestor != no_node) c.common_ancestor_name = t.names[static_cast<std::size_t>(c.common_ancestor)];
  if (c.hits.size() > 1) {
    c.runner_up = c.hits[1].node;
    c.runner_up_name = c.hits[1].name;
    c.runner_up_quality = c.hits[1].quality;
  }
  if (options.details && c.haplogroup != no_node) {
    const auto k = static_cast<std::size_t>(c.haplogroup);
    std::span<const token_id> expected(t.expected_ids.data() + t.expected_begin[k], t.expected_begin[k + 1] - t.expected_begin[k]);
    for (token_id tok : expected) {
      if (!r.in_range[static_cast<std::size_t>(tok)]) continue;
      (ws.found(tok) ? c.found : c.not_found).push_back(t.tokens[static_cast<std::size_t>(tok)]);
    }
    for (const sample_poly& s : ws.sample()) {
      std::span<const token_id> m = ws.matches(s);
      const bool explained = std::any_of(m.begin(), m.end(), [&](token_id tok) {
        return std::find(expected.begin(), expected.end(), tok) != expected.end();
      });
      if (explained) continue;
      remaining_poly rp;
      rp.poly = s.poly;
      if (tree.is_hotspot(s.poly)) {
        rp.kind = remaining_kind::hotspot;
      } else if (!m.empty() || s.weight_milli != 0) {
        rp.kind = remaining_kind::local_private;
      } else {
        rp.kind = remaining_kind::global_private;
      }
      c.remaining.push_back(std::move(rp));
    }
    for (const tree_poly& d : ws.dropped()) c.remaining.push_back({d, remaining_kind::hotspot});
  }
  ws.finish();
  return c;
}

template <class F>
void run_parallel(std::size_t n, unsigned threads, F&& body) {
  if (n == 0) return;
  if (n < 4 || threads == 1) {
    body(std::size_t{0}, n);
    return;
  }
  auto loop = [&] {
    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, n, 16),
                      [&](const tbb::blocked_range<std::size_t>& part) { body(part.begin(), part.end()); });
  };
  if (threads == 0) {
    loop();
  } else {
    tbb::task_arena arena(static_cast<int>(threads));
    arena.execute(loop);
  }
}

}  // namespace

classification classify(const profile& p, const phylotree& tree, const classify_options& options) {
  options.validate();
  workspace& ws = workspace_for(tree);
  std::vector<hit> hits;
  ws.rank(p, options.hits, hits);
  return make_result(p, tree, ws, hits, options);
}

std::vector<classification> classify(std::span<const profile> profiles, const phylotree& tree,
                                     const classify_options& options) {
  options.validate();
  std::vector<classification> out(profiles.size());
  run_parallel(profiles.size(), options.threads, [&](std::size_t first, std::size_t last) {
    workspace& ws = workspace_for(tree);
    std::vector<hit> hits;
    for (std::size_t i = first; i < last; ++i) {
      ws.rank(profiles[i], options.hits, hits);
      out[i] = make_result(profiles[i], tree, ws, hits, options);
    }
  });
  return out;
}

void classify_best(std::span<const profile> profiles, const phylotree& tree, std::span<node_id> best,
                   std::span<double> quality, unsigned threads) {
  if (best.size() < profiles.size() || quality.size() < profiles.size()) {
    throw error("classify_best: output spans hold " + std::to_string(std::min(best.size(), quality.size())) +
                " entries for " + std::to_string(profiles.size()) + " profiles");
  }
  const impl& t = tree.internals();
  run_parallel(profiles.size(), threads, [&](std::size_t first, std::size_t last) {
    workspace& ws = workspace_for(tree);
    std::vector<hit> hits;
    for (std::size_t i = first; i < last; ++i) {
      ws.rank(profiles[i], 1, hits);
      const hit& h = hits.front();
      best[i] = t.xml_order[static_cast<std::size_t>(h.slot)];
      quality[i] = to_double(h.f, ws.current_range().expected[static_cast<std::size_t>(h.slot)], ws.sample_weight());
      ws.finish();
    }
  });
}

}  // namespace mtmatch
