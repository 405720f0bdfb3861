#include "mtmatch/report.hpp"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cmath>
#include <limits>
#include <mutex>
#include <ostream>
#include <utility>

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include "mtmatch/classify.hpp"
#include "mtmatch/error.hpp"

namespace mtmatch {

const char* to_string(report_stage stage) noexcept {
  switch (stage) {
    case report_stage::classify: return "classify";
    case report_stage::match: return "match";
    case report_stage::score: return "score";
  }
  return "?";
}

score_policy report_options::scoring() const {
  score_policy p;
  p.compare = match.policy;
  p.diagnostic_weight = diagnostic_weight;
  p.discordant_at = discordant_at;
  return p;
}

void report_options::validate() const {
  match.validate();
  scoring().validate();
}

const std::string& match_report::haplogroup_a(std::size_t i) const {
  static const std::string none;
  if (!scored) return none;
  return remains_haplogroups[grouped ? remains_of(remains[i]).front() : remains[i]];
}

const std::string& match_report::haplogroup_b(std::size_t i) const {
  static const std::string none;
  if (!scored) return none;
  return relative_haplogroups[grouped ? relatives_of(relative[i]).front() : relative[i]];
}

namespace {

struct pair_score {
  double weighted = std::numeric_limits<double>::quiet_NaN();
  std::uint16_t sites = 0;
  std::uint8_t discordant = 0;
};

// Runs body(begin, end) over [0, n) on `threads` threads (0 = all cores), serially when small.
template <class F>
void parallel_ranges(std::size_t n, std::size_t threads, std::size_t grain, F&& body) {
  if (n == 0) return;
  if (threads == 1 || n <= grain) {
    body(std::size_t{0}, n);
    return;
  }
  tbb::task_arena arena(threads == 0 ? tbb::task_arena::automatic : static_cast<int>(threads));
  arena.execute([&] {
    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, n, grain),
                      [&](const tbb::blocked_range<std::size_t>& r) { body(r.begin(), r.end()); });
  });
}

class reporter {
 public:
  reporter(const profile_store& a, const profile_store& b, const report_options& options)
      : a_(a), b_(b), opt_(options), policy_(options.scoring()),
        tree_(options.tree ? options.tree : phylotree17_shared()) {}

  // The profile of each haplotype of both sides (needed only when scoring): given, or decoded.
  std::vector<profile> hap_a;
  std::vector<profile> hap_b;

  match_report run();

 private:
  bool tick(report_stage stage, std::uint64_t done, std::uint64_t total) {
    if (!opt_.progress) return true;
    std::lock_guard<std::mutex> lock(progress_mutex_);
    if (cancelled_.load()) return false;
    if (!opt_.progress(stage, done, total)) cancelled_.store(true);
    return !cancelled_.load();
  }
  // compare(a, b, tree) of the two haplotypes. With no difference (the engine's count is exact) the
  // comparison has nothing to weigh and score() needs only the classifications: compare() is skipped.
  [[nodiscard]] pair_score score_pair(std::uint32_t ha, std::uint32_t hb, int differences) const {
    comparison c;
    if (differences != 0) c = compare(hap_a[ha], hap_b[hb], policy_.compare);
    score(c, class_a_[ha], class_b_[hb], *tree_, policy_);
    return {c.weighted_differences, static_cast<std::uint16_t>(std::min(c.discordant_sites, 65535)),
            static_cast<std::uint8_t>(c.discordant ? 1 : 0)};
  }
  std::vector<classification> classify_side(const std::vector<profile>& haps, std::uint64_t& done, std::uint64_t total);
  void score_rows(match_report& out);
  void score_grouped_rows(match_report& out);

  const profile_store& a_;
  const profile_store& b_;
  const report_options& opt_;
  score_policy policy_;
  std::shared_ptr<const phylotree> tree_;
  std::vector<classification> class_a_;
  std::vector<classification> class_b_;
  // Scores computed while ranking top_k lists (match_options::rank_key), per remains haplotype.
  std::vector<std::vector<std::pair<std::uint32_t, pair_score>>> memo_;
  std::mutex progress_mutex_;
  std::atomic<bool> cancelled_{false};
};

std::vector<classification> reporter::classify_side(const std::vector<profile>& haps, std::uint64_t& done,
                                                    std::uint64_t total) {
  // What compare(a, b, tree) classifies with, so that the scores are the same.
  classify_options co;
  co.hits = 1;
  co.details = false;
  co.threads = static_cast<unsigned>(opt_.match.threads);
  std::vector<classification> out;
  out.reserve(haps.size());
  constexpr std::size_t chunk = 8192;  // progress between chunks
  for (std::size_t s = 0; s < haps.size(); s += chunk) {
    const std::size_t n = std::min(chunk, haps.size() - s);
    std::vector<classification> part = classify(std::span<const profile>(haps.data() + s, n), *tree_, co);
    std::move(part.begin(), part.end(), std::back_inserter(out));
    done += n;
    if (!tick(report_stage::classify, done, total)) break;
  }
  return out;
}

// Fills the haplogroup-aware columns. Rows of one remains profile are contiguous (the engine sorts
// by remains), and profiles of one haplotype have the same comparisons: each remains haplotype
// scores the distinct relatives haplotypes of its rows once.
void reporter::score_rows(match_report& out) {
  const std::size_t n = out.size();
  out.weighted_differences.assign(n, std::numeric_limits<double>::quiet_NaN());
  out.discordant.assign(n, 0);
  out.discordant_sites.assign(n, 0);
  std::vector<std::size_t> start(a_.size() + 1, 0);
  for (std::size_t i = 0; i < n; ++i) ++start[out.remains[i] + 1];
  for (std::size_t p = 0; p < a_.size(); ++p) start[p + 1] += start[p];
  for (std::size_t i = 1; i < n; ++i)
    if (out.remains[i] < out.remains[i - 1]) throw error("report: engine rows are not grouped by remains");

  std::atomic<std::uint64_t> done{0};
  std::atomic<std::uint64_t> pairs{0};
  const std::uint64_t total = a_.haplotypes();
  struct scored_pair {
    std::uint32_t hb;
    int differences;
    pair_score score;
  };
  parallel_ranges(a_.haplotypes(), opt_.match.threads, 16, [&](std::size_t begin, std::size_t end) {
    std::vector<scored_pair> local;
    auto count_done = [&] {
      const std::uint64_t now = done.fetch_add(1) + 1;
      if ((now & 255) == 0 || now == total) tick(report_stage::score, now, total);
    };
    for (std::size_t h = begin; h < end; ++h) {
      if (cancelled_.load(std::memory_order_relaxed)) return;
      const auto ha = static_cast<std::uint32_t>(h);
      local.clear();
      for (std::uint32_t m : a_.members(ha))
        for (std::size_t i = start[m]; i < start[m + 1]; ++i)
          local.push_back({b_.haplotype_of(out.relative[i]), out.differences[i], {}});
      std::sort(local.begin(), local.end(), [](const scored_pair& x, const scored_pair& y) { return x.hb < y.hb; });
      local.erase(std::unique(local.begin(), local.end(), [](const scored_pair& x, const scored_pair& y) { return x.hb == y.hb; }),
                  local.end());
      const std::vector<std::pair<std::uint32_t, pair_score>>* memo = memo_.empty() ? nullptr : &memo_[ha];
      for (scored_pair& p : local) {
        const pair_score* known = nullptr;
        if (memo != nullptr)
          for (const auto& [hb, score] : *memo)
            if (hb == p.hb) {
              known = &score;
              break;
            }
        p.score = known != nullptr ? *known : score_pair(ha, p.hb, p.differences);
      }
      pairs.fetch_add(local.size(), std::memory_order_relaxed);
      for (std::uint32_t m : a_.members(ha))
        for (std::size_t i = start[m]; i < start[m + 1]; ++i) {
          const std::uint32_t hb = b_.haplotype_of(out.relative[i]);
          const auto it = std::lower_bound(local.begin(), local.end(), hb,
                                           [](const scored_pair& e, std::uint32_t x) { return e.hb < x; });
          out.weighted_differences[i] = it->score.weighted;
          out.discordant[i] = it->score.discordant;
          out.discordant_sites[i] = it->score.sites;
        }
      count_done();
    }
  });
  out.scored_pairs = pairs.load();
}

// Grouped rows are distinct haplotype pairs already: each is compared and scored once.
void reporter::score_grouped_rows(match_report& out) {
  const std::size_t n = out.size();
  out.weighted_differences.assign(n, std::numeric_limits<double>::quiet_NaN());
  out.discordant.assign(n, 0);
  out.discordant_sites.assign(n, 0);
  std::atomic<std::uint64_t> done{0};
  const std::uint64_t total = n;
  parallel_ranges(n, opt_.match.threads, 1024, [&](std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i) {
      if (cancelled_.load(std::memory_order_relaxed)) return;
      const pair_score s = score_pair(out.remains[i], out.relative[i], out.differences[i]);
      out.weighted_differences[i] = s.weighted;
      out.discordant[i] = s.discordant;
      out.discordant_sites[i] = s.sites;
    }
    tick(report_stage::score, done.fetch_add(end - begin) + (end - begin), total);
  });
  out.scored_pairs = n;
}

match_report reporter::run() {
  opt_.validate();
  match_report out;
  out.remains_ids.reserve(a_.size());
  for (std::size_t p = 0; p < a_.size(); ++p) out.remains_ids.push_back(a_.id(p));
  out.relative_ids.reserve(b_.size());
  for (std::size_t p = 0; p < b_.size(); ++p) out.relative_ids.push_back(b_.id(p));

  const bool scoring = opt_.scores && !opt_.match.counts_only;
  if (scoring) {
    std::uint64_t done = 0;
    const std::uint64_t total = hap_a.size() + hap_b.size();
    class_a_ = classify_side(hap_a, done, total);
    if (!cancelled_.load()) class_b_ = classify_side(hap_b, done, total);
    if (cancelled_.load()) {
      out.cancelled = true;
      return out;
    }
    out.tree_name = tree_->tree_name();
    out.remains_haplogroups.reserve(a_.size());
    for (std::size_t p = 0; p < a_.size(); ++p) out.remains_haplogroups.push_back(class_a_[a_.haplotype_of(p)].name);
    out.relative_haplogroups.reserve(b_.size());
    for (std::size_t p = 0; p < b_.size(); ++p) out.relative_haplogroups.push_back(class_b_[b_.haplotype_of(p)].name);
  }

  match_options mo = opt_.match;
  mo.progress = nullptr;
  if (opt_.progress)
    mo.progress = [this](std::uint64_t done, std::uint64_t total) { return tick(report_stage::match, done, total); };
  if (scoring && mo.top_k) {
    memo_.assign(a_.haplotypes(), {});
    // All calls for one remains haplotype come from one thread (match.hpp): memo_[ha] is its own.
    mo.rank_key = [this](std::uint32_t ha, std::uint32_t hb, int differences) {
      const pair_score s = score_pair(ha, hb, differences);
      memo_[ha].push_back({hb, s});
      return s.weighted;
    };
  }
  match_result m = match(a_, b_, mo);
  out.grouped = m.grouped;
  out.profile_pairs = m.profile_pairs;
  if (m.grouped) {
    auto members = [](const profile_store& side, std::vector<std::uint32_t>& begin, std::vector<std::uint32_t>& list) {
      begin.assign(side.haplotypes() + 1, 0);
      list.reserve(side.size());
      for (std::uint32_t h = 0; h < side.haplotypes(); ++h) {
        const auto ms = side.members(h);
        list.insert(list.end(), ms.begin(), ms.end());
        begin[h + 1] = static_cast<std::uint32_t>(list.size());
      }
    };
    members(a_, out.remains_members_begin, out.remains_members);
    members(b_, out.relative_members_begin, out.relative_members);
  }
  out.remains = std::move(m.remains);
  out.relative = std::move(m.relative);
  out.differences = std::move(m.differences);
  out.compared_length = std::move(m.compared_length);
  out.verdicts = std::move(m.verdicts);
  out.counts = std::move(m.counts);
  if (opt_.match.counts_only) out.counts_width = static_cast<std::size_t>(*opt_.match.max_differences) + 1;
  out.level = m.level;
  out.stats = m.stats;
  out.cancelled = m.cancelled || cancelled_.load();
  if (scoring) {
    out.scored = true;
    if (out.cancelled) {
      out.weighted_differences.assign(out.size(), std::numeric_limits<double>::quiet_NaN());
      out.discordant.assign(out.size(), 0);
      out.discordant_sites.assign(out.size(), 0);
    } else {
      if (out.grouped) score_grouped_rows(out);
      else score_rows(out);
      out.cancelled = cancelled_.load();
    }
  }
  return out;
}

}  // namespace

match_report report_matches(const profile_store& remains, const profile_store& relatives, const report_options& options) {
  options.validate();
  if (remains.dictionary_ptr() != relatives.dictionary_ptr() || !remains.dictionary_ptr())
    throw error("report: the two stores must be encoded with the same dictionary (use mtmatch::encode)");
  reporter r(remains, relatives, options);
  if (options.scores && !options.match.counts_only) {
    r.hap_a.resize(remains.haplotypes());
    r.hap_b.resize(relatives.haplotypes());
    parallel_ranges(remains.haplotypes(), options.match.threads, 256, [&](std::size_t b, std::size_t e) {
      for (std::size_t h = b; h < e; ++h) r.hap_a[h] = remains.decode_haplotype(static_cast<std::uint32_t>(h));
    });
    parallel_ranges(relatives.haplotypes(), options.match.threads, 256, [&](std::size_t b, std::size_t e) {
      for (std::size_t h = b; h < e; ++h) r.hap_b[h] = relatives.decode_haplotype(static_cast<std::uint32_t>(h));
    });
  }
  return r.run();
}

match_report report_matches(std::span<const profile> remains, std::span<const profile> relatives,
                            const report_options& options, const encode_options& encoding) {
  options.validate();
  const encoded_sides sides = encode(remains, relatives, encoding);
  reporter r(sides.remains, sides.relatives, options);
  if (options.scores && !options.match.counts_only) {
    // The profiles as given: identical to the decoded haplotypes, without decoding.
    r.hap_a.reserve(sides.remains.haplotypes());
    for (std::uint32_t h = 0; h < sides.remains.haplotypes(); ++h) r.hap_a.push_back(remains[sides.remains.members(h).front()]);
    r.hap_b.reserve(sides.relatives.haplotypes());
    for (std::uint32_t h = 0; h < sides.relatives.haplotypes(); ++h)
      r.hap_b.push_back(relatives[sides.relatives.members(h).front()]);
  }
  return r.run();
}

std::string tsv_header(bool scored) {
  std::string h = "remains_id\trelative_id\tcompared_length\tdifferences\tverdict";
  if (scored) h += "\tweighted_differences\thaplogroup_a\thaplogroup_b\tdiscordant";
  return h;
}

namespace {

void put_number(std::string& buf, long long v) {
  char tmp[24];
  const auto r = std::to_chars(tmp, tmp + sizeof tmp, v);
  buf.append(tmp, r.ptr);
}

}  // namespace

void write_tsv(std::ostream& out, const match_report& report) {
  std::string buf;
  buf.reserve(1 << 20);
  auto flush = [&](bool force) {
    if (force || buf.size() > (1U << 20) - 512) {
      out.write(buf.data(), static_cast<std::streamsize>(buf.size()));
      buf.clear();
    }
  };
  if (report.counts_width != 0) {
    const std::size_t width = report.counts_width;
    buf += "remains_id";
    for (std::size_t d = 0; d < width; ++d) {
      buf += "\tdifferences_";
      put_number(buf, static_cast<long long>(d));
    }
    buf += '\n';
    for (std::size_t r = 0; r < report.remains_ids.size(); ++r) {
      buf += report.remains_ids[r];
      for (std::size_t d = 0; d < width; ++d) {
        buf += '\t';
        put_number(buf, report.counts[r * width + d]);
      }
      buf += '\n';
      flush(false);
    }
    flush(true);
    return;
  }
  buf += tsv_header(report.scored);
  buf += '\n';
  auto write_row = [&](std::size_t i, std::uint32_t a, std::uint32_t b) {
    buf += report.remains_ids[a];
    buf += '\t';
    buf += report.relative_ids[b];
    buf += '\t';
    put_number(buf, report.compared_length[i]);
    buf += '\t';
    put_number(buf, report.differences[i]);
    buf += '\t';
    buf += to_string(report.verdicts[i]);
    if (report.scored) {
      buf += '\t';
      const double w = report.weighted_differences[i];
      if (std::isnan(w)) {
        buf += "NA";
      } else {
        char tmp[32];
        const auto r = std::to_chars(tmp, tmp + sizeof tmp, w, std::chars_format::fixed, 4);
        buf.append(tmp, r.ptr);
      }
      buf += '\t';
      buf += report.haplogroup_a(i);
      buf += '\t';
      buf += report.haplogroup_b(i);
      buf += '\t';
      buf += report.discordant[i] != 0 ? '1' : '0';
    }
    buf += '\n';
    flush(false);
  };
  for (std::size_t i = 0; i < report.size(); ++i) {
    if (!report.grouped) {
      write_row(i, report.remains[i], report.relative[i]);
      continue;
    }
    for (std::uint32_t a : report.remains_of(report.remains[i]))
      for (std::uint32_t b : report.relatives_of(report.relative[i])) write_row(i, a, b);
  }
  flush(true);
}

}  // namespace mtmatch
