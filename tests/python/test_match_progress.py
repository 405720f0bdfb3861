"""mtmatch.match(..., progress=callback): calls per stage, cancelling, exceptions raised in the callback."""

import functools
import os
import signal
import threading
import time

import numpy as np
import pytest

import mtmatch
from conftest import DATA_DIR

EXAMPLE = os.path.join(DATA_DIR, "example")


@pytest.fixture(scope="module")
def example():
    remains = list(mtmatch.read_hsd(os.path.join(EXAMPLE, "remains.hsd")).profiles)
    relatives = list(mtmatch.read_hsd(os.path.join(EXAMPLE, "relatives.hsd")).profiles)
    return remains, relatives


@pytest.fixture(scope="module")
def simulated(tmp_path_factory):
    """Enough work for the engine to run a second or so (3,700 x 7,500 control regions and genomes)."""
    out = tmp_path_factory.mktemp("progress")
    mtmatch.simulate(out, seed=3, martyrs=6000)
    return (list(mtmatch.read_hsd(os.path.join(out, "remains.hsd")).profiles),
            list(mtmatch.read_hsd(os.path.join(out, "relatives.hsd")).profiles))


@pytest.fixture(scope="module")
def plain(example):
    """The result without a callback, to compare with."""
    a, b = example
    return mtmatch.match(a, b, max_differences=3, threads=2)


def same_rows(x, y):
    return (np.array_equal(x.remains, y.remains) and np.array_equal(x.relative, y.relative)
            and np.array_equal(x.differences, y.differences)
            and np.array_equal(x.weighted_differences, y.weighted_differences))


def test_calls_per_stage_and_the_same_result(example, plain):
    a, b = example
    calls = []

    def progress(done, total, stage):
        calls.append((stage, done, total, threading.get_ident()))

    m = mtmatch.match(a, b, max_differences=3, threads=2, progress=progress)
    assert not m.cancelled
    assert same_rows(m, plain)
    stages = [c[0] for c in calls]
    # stages in order, each one's count rising to its total
    assert [s for i, s in enumerate(stages) if i == 0 or stages[i - 1] != s] == ["classify", "match", "score"]
    for stage in ("classify", "match", "score"):
        mine = [(d, t) for s, d, t, _ in calls if s == stage]
        assert mine[-1][0] == mine[-1][1] > 0, stage
        assert all(0 <= d <= t for d, t in mine)
        assert [d for d, _ in mine] == sorted(d for d, _ in mine)
        assert len({t for _, t in mine}) == 1
    match_total = [t for s, _, t, _ in calls if s == "match"][0]
    assert match_total == m.stats["distinct_pairs"]


def test_two_argument_callbacks_and_truthy_answers(example, plain):
    a, b = example
    seen = []
    assert same_rows(mtmatch.match(a, b, max_differences=3, threads=2, progress=lambda d, t: seen.append((d, t))), plain)
    assert seen and all(len(x) == 2 for x in seen)
    assert not mtmatch.match(a, b, max_differences=3, progress=lambda d, t: True).cancelled
    assert not mtmatch.match(a, b, max_differences=3, progress=lambda d, t: 1).cancelled

    class Counter:
        def __init__(self):
            self.n = 0

        def __call__(self, done, total, stage="?"):
            self.n += 1

    counter = Counter()
    assert same_rows(mtmatch.match(a, b, max_differences=3, threads=2, progress=counter), plain)
    assert counter.n >= 3
    partial = functools.partial(lambda tag, d, t: seen.append(tag), "partial")
    mtmatch.match(a, b, max_differences=3, progress=partial)
    assert "partial" in seen


def test_false_cancels(example, plain):
    a, b = example
    calls = []

    def stop_at_once(done, total, stage):
        calls.append(stage)
        return False

    m = mtmatch.match(a, b, max_differences=3, progress=stop_at_once)
    assert m.cancelled
    assert calls == ["classify"], "no call after the cancelling one"
    assert len(m) == 0

    def stop_in_match(done, total, stage):
        calls.append(stage)
        return stage != "match"

    calls.clear()
    m = mtmatch.match(a, b, max_differences=3, threads=1, progress=stop_in_match)
    assert m.cancelled
    assert calls[-1] == "match" and "score" not in calls
    # what a cancelled run reports is a subset of the full result
    full = set(zip(plain.remains.tolist(), plain.relative.tolist()))
    assert set(zip(m.remains.tolist(), m.relative.tolist())) <= full
    # and a false value that is not None cancels too
    assert mtmatch.match(a, b, max_differences=3, scores=False, progress=lambda d, t: 0).cancelled


class Boom(Exception):
    pass


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("stage", ["classify", "match", "score"])
def test_exception_in_the_callback_is_raised_by_match(example, plain, threads, stage):
    a, b = example
    calls = []

    def explode(done, total, where):
        calls.append(where)
        if where == stage:
            raise Boom(f"stop at {where}")

    with pytest.raises(Boom, match=f"stop at {stage}"):
        mtmatch.match(a, b, max_differences=3, threads=threads, progress=explode)
    assert calls[-1] == stage and calls.count(stage) == 1, "the engine stops at the exception"
    # nothing is left behind: the next run is whole
    assert same_rows(mtmatch.match(a, b, max_differences=3, threads=threads), plain)


def test_exceptions_from_worker_threads_and_bad_answers(example, simulated):
    # A run big enough for the engine's thread pool: calls come from worker threads too.
    callers = set()

    def from_anywhere(done, total, stage):
        callers.add(threading.get_ident())
        if len(callers) > 1 or done > total // 2:
            raise KeyError("worker")

    with pytest.raises(KeyError, match="worker"):
        mtmatch.match(*simulated, max_differences=2, threads=2, scores=False, progress=from_anywhere)
    a, b = example

    class NoTruth:
        def __bool__(self):
            raise ValueError("no truth value")

    with pytest.raises(ValueError, match="no truth value"):
        mtmatch.match(a, b, max_differences=3, progress=lambda d, t: NoTruth())
    with pytest.raises(TypeError, match="progress must be a callable"):
        mtmatch.match(a, b, progress=42)
    # a callback with the wrong arity fails like any Python call, and is raised the same way
    with pytest.raises(TypeError):
        mtmatch.match(a, b, progress=lambda: None)


def test_calls_are_rate_limited_and_the_gil_is_still_released(simulated):
    calls = []
    ticks = 0
    finished = threading.Event()
    elapsed = []

    def work():
        start = time.monotonic()
        m = mtmatch.match(*simulated, max_differences=2, threads=1, scores=False,
                          progress=lambda d, t: calls.append((time.monotonic(), d, t)))
        elapsed.append(time.monotonic() - start)
        calls.append(m.stats["distinct_pairs"])
        finished.set()

    t = threading.Thread(target=work)
    t.start()
    while not finished.is_set():
        ticks += 1
    t.join()
    assert ticks > 1000, "the GIL is released between calls"
    distinct = calls.pop()
    assert calls[-1][1] == calls[-1][2] == distinct
    # one stage: its first call, then at most one per 50 ms, then the last
    assert 3 <= len(calls) <= 3 + elapsed[0] / 0.05
    gaps = [b[0] - a[0] for a, b in zip(calls[1:-2], calls[2:-1])]
    assert all(g >= 0.04 for g in gaps), min(gaps)  # 50 ms, less a GIL switch interval


@pytest.fixture
def sigint_raises():
    """Ctrl-C as in an interactive session: a process started in the background (nohup, `cmd &` in a
    script, some CI runners) inherits SIGINT ignored, and then interrupt_main() does nothing."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


def test_ctrl_c_in_a_callback_run_cancels_it(example, sigint_raises):
    import _thread
    a, b = example
    calls = []

    def interrupt_once(done, total, stage):
        calls.append(stage)
        if len(calls) == 1:
            _thread.interrupt_main()

    with pytest.raises(KeyboardInterrupt):
        mtmatch.match(a, b, max_differences=3, threads=1, progress=interrupt_once)
    assert "score" not in calls


def test_ctrl_c_cancels_the_run_even_without_a_callback(simulated, sigint_raises):
    # KeyboardInterrupt arrives while the engine runs with the GIL released: the run stops at the
    # next progress step on the calling thread instead of finishing first.
    import _thread
    start = time.monotonic()
    full = mtmatch.match(*simulated, max_differences=2, threads=1, scores=False)
    whole = time.monotonic() - start
    assert not full.cancelled
    timer = threading.Timer(0.1, _thread.interrupt_main)
    start = time.monotonic()
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        mtmatch.match(*simulated, max_differences=2, threads=1, scores=False)
    interrupted = time.monotonic() - start
    timer.join()
    assert interrupted < 0.6 * whole, (interrupted, whole)
