"""The main job on the bundled example data: every remains against every relative, a short ranked
list of families per remains, checked against the simulator's ground truth.

Run by `make demo` (PYTHONPATH=build/python /usr/bin/python3 scripts/demo.py data/example).
"""

import collections
import csv
import os
import sys
import time

import mtmatch


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def main(folder):
    remains_file = mtmatch.read_hsd(os.path.join(folder, "remains.hsd"))
    relatives_file = mtmatch.read_hsd(os.path.join(folder, "relatives.hsd"))
    for f, name in ((remains_file, "remains.hsd"), (relatives_file, "relatives.hsd")):
        print(f"{name:14} {len(f.profiles):5} profiles read, {len(f.rejected)} rejected")
        for e in f.errors[:5]:
            print("   ", e["message"])

    # The registry says who each relative is; non-maternal relatives never carry the martyr's mtDNA.
    registry = {r["relative_id"]: r for r in read_csv(os.path.join(folder, "relatives.csv"))}
    usable = [p for p in relatives_file.profiles if registry.get(p.id, {}).get("maternal") == "1"]
    print(f"relatives      {len(usable):5} maternal relatives usable "
          f"({len(relatives_file.profiles) - len(usable)} non-maternal samples set aside)")

    tree = mtmatch.Tree.phylotree17()
    groups = collections.Counter(c.haplogroup for c in mtmatch.classify(remains_file.profiles, tree=tree))
    print("haplogroups    " + ", ".join(f"{h} {n}" for h, n in groups.most_common(8)) + ", …")

    # Every remains against every usable relative with the fast engine: the pairs that are not
    # excluded (at most 1 difference), best first, each with what compare(a, b, tree) says of it.
    t1 = time.perf_counter()
    m = mtmatch.match(remains_file, usable, max_differences=1, tree=tree)
    elapsed = time.perf_counter() - t1
    print(f"matched        {len(remains_file.profiles)} x {len(usable)} profiles in {elapsed * 1000:.0f} ms "
          f"({m.isa} kernels): {len(m.differences)} candidate pairs")
    candidates = collections.defaultdict(list)
    for i in range(len(m.differences)):
        candidates[m.remains_id[i]].append((int(m.differences[i]), float(m.weighted_differences[i]),
                                            -int(m.compared_length[i]), m.relative_id[i], str(m.verdict[i])))
    for found in candidates.values():
        found.sort()
    print()

    # Families: relatives grouped by martyr; a remains' list names each family once, best pair first.
    print(f"{'remains':14} {'range':20} {'family':10} {'closest relative':14} {'relationship':21} diffs  weighted  verdict")
    shown = 0
    for r in remains_file.profiles:
        families = []
        seen = set()
        for diffs, weighted, _, qid, verdict in candidates[r.id]:
            martyr = registry[qid]["martyr_id"]
            if martyr in seen:
                continue
            seen.add(martyr)
            families.append((martyr, qid, registry[qid]["relationship"], diffs, weighted, verdict))
        if not families or shown >= 12:
            continue
        shown += 1
        for rank, (martyr, qid, rel, diffs, weighted, verdict) in enumerate(families[:3]):
            head = f"{r.id:14} {r.range[:20]:20}" if rank == 0 else " " * 35
            print(f"{head} {martyr:10} {qid:14} {rel:21} {diffs:5}  {weighted:8.2f}  {verdict}")

    # Ground truth: is the true family on the list (never lost), and first?
    truth = {row["remains_id"]: row["martyr_id"] for row in read_csv(os.path.join(folder, "truth", "remains.csv"))}
    sampled_families = {registry[q.id]["martyr_id"] for q in usable}
    answerable = [r.id for r in remains_file.profiles if truth.get(r.id) in sampled_families]
    on_list = first = 0
    list_sizes = []
    for rid in answerable:
        order = []
        for *_, qid, _verdict in candidates[rid]:
            m = registry[qid]["martyr_id"]
            if m not in order:
                order.append(m)
        list_sizes.append(len(order))
        on_list += truth[rid] in order
        first += bool(order) and order[0] == truth[rid]
    n = len(answerable)
    print()
    print(f"ground truth   {n} remains have a sampled family: true family on the list {on_list}/{n} "
          f"({100 * on_list / max(n, 1):.1f} %), ranked first {first}/{n} ({100 * first / max(n, 1):.1f} %); "
          f"median list length {sorted(list_sizes)[len(list_sizes) // 2] if list_sizes else 0} families")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "data/example")
