"""bench/peers: mtmatch's kernel and threshold search against other libraries, on the same codes.

Run through ``bench/peers/run`` (builds everything first). What it does, in one process:

1. Simulates control-region profiles (mtmatch.simulate: PhyloTree 17 haplogroups at Vietnamese
   frequencies, families, private mutations, heteroplasmies, missing stretches).
2. Encodes them as the engine does: 1024-bit dense codes from one variant dictionary, plus the
   coverage mask the kernel applies (columns inside every coverage class, minus length variants).
3. All pairs, nearest code per query (k=1), one core unless noted:
   mtmatch's kernel (every ISA the CPU has; mask applied inside the kernel) against faiss
   IndexBinaryFlat.search(q, 1), scipy cdist(metric='hamming') and a plain -O3 -mpopcnt loop, all
   three on the codes with the mask already applied (so they do less work, not more). Results are
   checked equal. Rates are pairs per second of wall time; ratios are against mtmatch at the
   dispatched ISA.
4. Threshold search (differences <= k, compare()'s exact count) on the profiles: the fast search
   against brute force (every pair through the kernel), and compare() itself timed on a sample of
   pairs and extrapolated to all pairs.

Every figure is the median of --runs runs (>= 3), printed with the ISA it ran at.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import platform
import statistics
import sys
import tempfile
import time

import numpy as np

import mtmatch
from mtmatch import _core


def median_time(fn, runs):
    times = []
    out = None
    for _ in range(runs):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def cpu_name():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def simulate(n_remains, n_relatives, seed):
    martyrs = int(max(n_remains / 0.61, n_relatives / 1.24) * 1.02) + 200
    with tempfile.TemporaryDirectory(prefix="mtmatch_peers_") as out:
        mtmatch.simulate(out, seed=seed, martyrs=martyrs, remains_coverage={"control_region": 1.0},
                         relative_coverage={"control_region": 1.0})
        remains = list(mtmatch.read_hsd(os.path.join(out, "remains.hsd")).profiles)[:n_remains]
        relatives = list(mtmatch.read_hsd(os.path.join(out, "relatives.hsd")).profiles)[:n_relatives]
    return remains, relatives


def row(table, what, isa, threads, pairs, seconds, note=""):
    table.append({"what": what, "isa": isa, "threads": threads, "pairs": pairs, "seconds": seconds,
                  "rate": pairs / seconds if seconds > 0 else float("inf"), "note": note})


def fmt_rate(r):
    for unit, scale in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if r >= scale:
            return f"{r / scale:.3g} {unit}"
    return f"{r:.3g}"


def print_table(title, table, reference_rate):
    print(f"\n{title}")
    print(f"| {'what':<58} | {'ISA':<7} | thr | {'pairs':>14} | {'median s':>9} | {'pairs/s':>10} | {'mtmatch / this':>14} | note |")
    print(f"|{'-' * 60}|{'-' * 9}|-----|{'-' * 16}|{'-' * 11}|{'-' * 12}|{'-' * 16}|------|")
    for r in table:
        ratio = reference_rate / r["rate"] if r["rate"] > 0 else float("nan")
        print(f"| {r['what']:<58} | {r['isa']:<7} | {r['threads']:>3} | {r['pairs']:>14,} | {r['seconds']:>9.4f} | "
              f"{fmt_rate(r['rate']):>10} | {ratio:>13.2f}x | {r['note']} |")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--remains", type=int, default=12000, help="remains profiles for the threshold search")
    p.add_argument("--relatives", type=int, default=24000, help="relative profiles (also the kernel's code set, up to --codes)")
    p.add_argument("--codes", type=int, default=60000, help="codes searched by the kernel peers")
    p.add_argument("--queries", type=int, default=2048, help="queries for mtmatch's kernel")
    p.add_argument("--faiss-queries", type=int, default=256)
    p.add_argument("--scipy-queries", type=int, default=16)
    p.add_argument("--naive-queries", type=int, default=512)
    p.add_argument("--max-differences", type=int, default=2)
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--threads", type=int, default=2, help="threads for the multi-threaded rows")
    p.add_argument("--seed", type=int, default=2024)
    p.add_argument("--naive", help="shared library with naive_nearest (built by bench/peers/run)")
    p.add_argument("--skip-search", action="store_true", help="only the kernel table")
    args = p.parse_args()
    if args.runs < 3:
        p.error("--runs must be at least 3 (medians of >= 3 runs)")

    active = mtmatch.active_isa()
    isas = mtmatch.supported_isas()
    print("bench/peers — mtmatch", mtmatch.__version__)
    print(f"CPU: {cpu_name()}; {os.cpu_count()} logical cores; load average {os.getloadavg()[0]:.2f} at start")
    print(f"dispatched ISA: {active} (supported: {', '.join(isas)}); numpy {np.__version__}")

    n_codes = max(args.codes, args.relatives)
    t = time.perf_counter()
    remains, relatives = simulate(max(args.remains, args.queries), n_codes, args.seed)
    print(f"simulated {len(remains)} remains and {len(relatives)} relatives (control region) in {time.perf_counter() - t:.1f} s")

    # ---- codes --------------------------------------------------------------------------------------
    codes = _core._dense_codes(remains[: args.queries], relatives[: args.codes], 1024)
    qa, qb, mask = codes["remains"], codes["relatives"], codes["mask"]
    words = qa.shape[1]
    bits = words * 64
    set_share = float(np.unpackbits(qb.view(np.uint8)).mean())
    mask_bits = int(np.unpackbits(mask.view(np.uint8)).sum())
    print(f"codes: {bits} bits ({codes['dense_columns']} dictionary columns in the core, {codes['classes']} coverage classes); "
          f"{set_share * 100:.2f} % of bits set; the coverage mask keeps {mask_bits} of {bits} bits")
    qa_m = np.ascontiguousarray(qa & mask)
    qb_m = np.ascontiguousarray(qb & mask)
    index = _core._DenseCodes(qb)
    n_q, n_c = qa.shape[0], qb.shape[0]

    # ---- kernel: all pairs, nearest code ---------------------------------------------------------------
    kernel = []
    reference = {}
    for isa in isas:
        s, (dist, _) = median_time(lambda isa=isa: index.nearest(qa, mask=mask, threads=1, isa=isa), args.runs)
        row(kernel, "mtmatch kernel, coverage mask applied", isa, 1, n_q * n_c, s)
        reference[isa] = dist
    s, _ = median_time(lambda: _core._DenseCodes(qb_m).nearest(qa_m, threads=1, isa=active), 1)  # warm-up of a second index
    masked_index = _core._DenseCodes(qb_m)
    s, dist_unmasked = median_time(lambda: masked_index.nearest(qa_m, threads=1, isa=active), args.runs)
    row(kernel, "mtmatch kernel, unmasked (codes pre-masked)", active, 1, n_q * n_c, s)
    s, _ = median_time(lambda: index.nearest(qa, mask=mask, threads=args.threads, isa=active), args.runs)
    row(kernel, "mtmatch kernel, coverage mask applied", active, args.threads, n_q * n_c, s)
    assert np.array_equal(dist_unmasked[0], reference[active])
    for isa in isas:
        assert np.array_equal(reference[isa], reference[active]), isa

    try:
        import faiss
        faiss.omp_set_num_threads(1)
        nf = min(args.faiss_queries, n_q)
        fi = faiss.IndexBinaryFlat(bits)
        fi.add(qb_m.view(np.uint8))
        s, (d, _) = median_time(lambda: fi.search(qa_m[:nf].view(np.uint8), 1), args.runs)
        assert np.array_equal(d[:, 0], reference[active][:nf]), "faiss disagrees"
        row(kernel, f"faiss {faiss.__version__} IndexBinaryFlat.search(k=1)", "-", 1, nf * n_c, s)
        faiss.omp_set_num_threads(args.threads)
        s, _ = median_time(lambda: fi.search(qa_m[:nf].view(np.uint8), 1), args.runs)
        row(kernel, f"faiss {faiss.__version__} IndexBinaryFlat.search(k=1)", "-", args.threads, nf * n_c, s)
    except ImportError:
        print("faiss not installed (Debian python3-faiss): skipped")

    try:
        import scipy
        from scipy.spatial.distance import cdist
        ns = min(args.scipy_queries, n_q)
        qa_bits = np.unpackbits(qa_m[:ns].view(np.uint8), axis=1).astype(bool)
        qb_bits = np.unpackbits(qb_m.view(np.uint8), axis=1).astype(bool)

        def scipy_nearest():
            d = cdist(qa_bits, qb_bits, metric="hamming")
            return np.rint(d.min(axis=1) * bits).astype(np.uint16)

        s, d = median_time(scipy_nearest, args.runs)
        assert np.array_equal(d, reference[active][:ns]), "scipy disagrees"
        row(kernel, f"scipy {scipy.__version__} cdist(metric='hamming') + min", "-", 1, ns * n_c, s)
    except ImportError:
        print("scipy not installed (Debian python3-scipy): skipped")

    if args.naive:
        lib = ctypes.CDLL(args.naive)
        u64 = np.ctypeslib.ndpointer(np.uint64, flags="C_CONTIGUOUS")
        lib.naive_nearest.argtypes = [u64, ctypes.c_size_t, u64, ctypes.c_size_t, ctypes.c_size_t,
                                      np.ctypeslib.ndpointer(np.uint16, flags="C_CONTIGUOUS"),
                                      np.ctypeslib.ndpointer(np.int64, flags="C_CONTIGUOUS")]
        lib.naive_nearest.restype = None
        nn = min(args.naive_queries, n_q)
        nd = np.empty(nn, np.uint16)
        ni = np.empty(nn, np.int64)
        q_nn = np.ascontiguousarray(qa_m[:nn])
        s, _ = median_time(lambda: lib.naive_nearest(q_nn, nn, qb_m, n_c, words, nd, ni), args.runs)
        assert np.array_equal(nd, reference[active][:nn]), "naive loop disagrees"
        row(kernel, "naive loop (C, -O3 -mpopcnt)", "popcnt", 1, nn * n_c, s)

    ref_rate = next(r["rate"] for r in kernel if r["isa"] == active and r["threads"] == 1)
    print_table(f"All pairs, nearest code: {n_q} queries x {n_c} codes of {bits} bits "
                f"(fewer queries for the slow peers; same codes; distances checked equal). "
                f"Ratio = mtmatch {active} 1 thread / row.", kernel, ref_rate)
    by = {(r["what"], r["isa"], r["threads"]): r["rate"] for r in kernel}
    masked1 = by[("mtmatch kernel, coverage mask applied", active, 1)]
    print(f"coverage cost: unmasked / masked = {by[('mtmatch kernel, unmasked (codes pre-masked)', active, 1)] / masked1:.2f}x; "
          f"{args.threads} threads / 1 thread = {by[('mtmatch kernel, coverage mask applied', active, args.threads)] / masked1:.2f}x")

    if args.skip_search:
        return
    # ---- threshold search -------------------------------------------------------------------------------
    a = remains[: args.remains]
    b = relatives[: args.relatives]
    k = args.max_differences
    pairs = len(a) * len(b)
    search = []
    results = {}
    for threads in sorted({1, args.threads}):
        for fast in (True, False):
            s, m = median_time(lambda fast=fast, threads=threads: mtmatch.match(a, b, max_differences=k, threads=threads,
                                                                                   scores=False, fast_search=fast), args.runs)
            results[(threads, fast)] = m
            row(search, f"mtmatch threshold <= {k}, {'fast search' if fast else 'brute force (every pair to kernel)'}",
                m.isa, threads, pairs, s, f"{len(m):,} pairs found; {m.stats['kernel_pairs']:,} kernel pairs")
    first = next(iter(results.values()))
    for m in results.values():
        assert np.array_equal(m.remains, first.remains) and np.array_equal(m.relative, first.relative)
    s, m = median_time(lambda: mtmatch.match(a, b, max_differences=k, threads=args.threads), args.runs)
    row(search, f"mtmatch threshold <= {k} + haplogroup-aware scores", m.isa, args.threads, pairs, s,
        f"{m.stats['scored_pairs']:,} distinct pairs scored")
    # compare() itself, every pair: timed on a sample, extrapolated
    rng = np.random.default_rng(args.seed)
    sample = [(a[i], b[j]) for i, j in zip(rng.integers(0, len(a), 3000), rng.integers(0, len(b), 3000))]
    times = []
    for _ in range(args.runs):
        t = time.perf_counter()
        for x, y in sample:
            mtmatch.compare(x, y)
        times.append(time.perf_counter() - t)
    per_pair = statistics.median(times) / len(sample)
    row(search, "compare() on every pair (sampled, extrapolated)", "-", 1, pairs, per_pair * pairs,
        f"{per_pair * 1e6:.2f} us/pair incl. Python call")
    fast1 = next(r["rate"] for r in search if r["threads"] == 1 and "fast search" in r["what"])
    print_table(f"Threshold search, differences <= {k} (compare()'s count, exact): {len(a):,} remains x {len(b):,} relatives. "
                f"Ratio = mtmatch fast search 1 thread / row.", search, fast1)
    print(f"load average {os.getloadavg()[0]:.2f} at the end (the machine may be shared)")


if __name__ == "__main__":
    sys.exit(main())
