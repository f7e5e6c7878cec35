"""What a shared server rests on: the compute estimate and budget, the byte-bounded cache,
tasks that stop between steps, and thread counts."""

import threading

import numpy as np
import pytest

import twolayer as tl
from twolayer.autograd import one_torch_thread
from twolayer.cli import main
from twolayer.data import arrays as config_arrays
from twolayer.lockstep import Options, lockstep, lockstep_task
from twolayer.manual import start_numpy
from twolayer.serving.budget import check_compute, iteration_flops, iteration_seconds, run_seconds
from twolayer.serving.cache import MISSING, Store, nbytes
from twolayer.tasks import finish, training_task


def test_flops_count_the_products_of_one_iteration():
    # x @ w1 and x.T @ grad_h: 2·N·D_in·H each; h_relu @ w2, its two gradients: 2·N·H·D_out
    products = 4 * 64 * 1000 * 100 + 6 * 64 * 100 * 10
    assert products < iteration_flops(64, 1000, 100, 10) < 1.05 * products
    # the estimate is in seconds, and whole runs scale with iterations and runs
    config = tl.Config()
    assert run_seconds(config, 2) == pytest.approx(2 * 500 * iteration_seconds(config))


def test_the_compute_guard_refuses_with_the_figure_and_what_fits():
    big = tl.Config(n=4000, d_in=5000, iterations=5000)
    with pytest.raises(ValueError) as refused:
        check_compute(big, 2, "This page", budget=20)
    message = str(refused.value)
    assert message.startswith("This page would take about ")
    assert "s of compute (2 × 5,000 iterations of " in message
    fits = int(message.split("use at most ")[1].split(" iterations")[0].replace(",", ""))
    assert 0 < fits < 5000
    check_compute(big.replace(iterations=fits), 2, "This page", budget=20)  # which fits


def test_the_compute_budget_comes_from_the_environment(monkeypatch):
    config = tl.Config()
    monkeypatch.setenv("TWOLAYER_COMPUTE_BUDGET_S", "0.01")
    with pytest.raises(ValueError, match="over the budget of 0.01 s"):
        check_compute(config, 1, "This")
    for bad in ("soon", "-1", "nan"):
        monkeypatch.setenv("TWOLAYER_COMPUTE_BUDGET_S", bad)
        with pytest.raises(ValueError, match="TWOLAYER_COMPUTE_BUDGET_S must be a positive"):
            check_compute(config, 1, "This")


@pytest.mark.timeout(60)  # refused before any work: an hour of compute never starts
def test_the_cli_refuses_a_command_over_its_budget(capsys):
    code = main(["compare", "--n", "4000", "--d-in", "5000", "--iterations", "100000"])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("twolayer: error: `compare` would take about ")
    assert "over the budget of 3600 s" in err
    code = main(["train", "--iterations", "2000", "--compute-budget-s", "0.5"])
    assert code == 2 and "over the budget of 0.5 s" in capsys.readouterr().err


def test_store_stays_within_its_bytes_and_drops_the_oldest():
    store = Store(budget=3 * 8000 + 500)
    for k in range(5):
        assert store.put(k, np.zeros(1000))  # 8000 bytes each
        assert store.used <= store.budget
    assert [store.get(k) is MISSING for k in range(5)] == [True, True, False, False, False]
    store.get(2)  # used: now the most recent
    store.put(5, np.zeros(1000))
    assert store.get(3) is MISSING and store.get(2) is not MISSING
    assert not store.put("huge", np.zeros(10_000))  # larger than the whole budget
    assert store.get("huge") is MISSING and store.used <= store.budget


def test_stored_arrays_are_read_only_and_counted_inside_results():
    run = tl.train_numpy(*config_arrays(tl.Config(iterations=3)), 1e-6, 3)
    assert nbytes(run) >= run.w1.nbytes + run.w2.nbytes + run.losses.nbytes
    store = Store(budget=10 * 2**20)
    store.put("run", run)
    with pytest.raises(ValueError, match="read-only"):
        store.get("run").w1[0, 0] = 1.0


def test_a_second_caller_waits_for_the_first_computation():
    store = Store(budget=2**20)
    assert store.begin("k") and not store.begin("k")  # one computes, the other waits
    finished = threading.Event()

    def waiter():
        while not store.wait("k", 0.05):
            pass
        finished.set()

    thread = threading.Thread(target=waiter)
    thread.start()
    assert not finished.wait(0.2)  # still computing
    store.put("k", np.ones(3))
    store.end("k")
    thread.join(5)
    assert finished.is_set() and store.get("k") is not MISSING


def test_a_task_gives_the_function_result_and_stops_when_dropped():
    config = tl.Config(iterations=40)
    task = lockstep_task(config, Options())
    steps = [next(task)[:2] for _ in range(3)]
    assert steps == [(1, 40), (2, 40), (3, 40)]
    task.close()  # a visitor left: nothing more runs
    with pytest.raises(StopIteration):
        next(task)
    whole = lockstep(config)  # torch on one thread: its sums depend on the thread count
    with one_torch_thread():
        stepped = finish(lockstep_task(config))
    np.testing.assert_array_equal(stepped.records["loss_torch"], whole.records["loss_torch"])


def test_training_task_reports_iterations_and_the_growing_run():
    x, y, w1, w2 = config_arrays(tl.Config())
    task = training_task(start_numpy(x, y, w1, w2, 1e-6, 10))
    done, total, training = next(task)
    assert (done, total) == (1, 10) and len(training.result().losses) == 1
    run = finish(task)
    np.testing.assert_array_equal(run.losses, tl.train_numpy(x, y, w1, w2, 1e-6, 10).losses)


def test_limit_sets_blas_and_torch_threads():
    import torch
    from threadpoolctl import threadpool_info

    from twolayer.serving import threads

    before = torch.get_num_threads()
    try:
        threads.limit(1)
        assert torch.get_num_threads() == 1
        assert all(pool["num_threads"] == 1 for pool in threadpool_info())
    finally:
        threads.limit(before)
    assert threads.cores() >= 1


def test_a_progress_bar_redraws_only_what_moved_and_slower_when_crowded():
    from twolayer.ui.compute import (
        CROWDED_RATE,
        CROWDED_SHOW_AFTER,
        PROGRESS_RATE,
        SHOW_AFTER,
        Progress,
    )

    bar = Progress("Training")
    start = bar.start
    assert not bar.due(start + SHOW_AFTER / 2, (10, "a"), crowded=False)  # short work: none
    first = start + SHOW_AFTER + 0.01  # clear of float rounding in now - start
    assert bar.due(first, (10, "a"), crowded=False)
    bar.shown, bar.said = first, (10, "a")
    assert not bar.due(first + 5, (10, "a"), crowded=False)  # says the same: not redrawn
    soon = first + 1 / PROGRESS_RATE + 0.01
    assert bar.due(soon, (11, "a"), crowded=False)
    assert not bar.due(soon, (11, "a"), crowded=True)  # visitors waiting: rarely
    assert bar.due(first + 1 / CROWDED_RATE + 0.01, (11, "a"), crowded=True)
    # and while they wait, a new bar appears only after CROWDED_SHOW_AFTER seconds
    waiting = Progress("Training")
    assert CROWDED_SHOW_AFTER > SHOW_AFTER
    assert not waiting.due(waiting.start + SHOW_AFTER + 0.01, (0, "w"), crowded=True)
    assert waiting.due(waiting.start + CROWDED_SHOW_AFTER + 0.01, (0, "w"), crowded=True)


def test_a_progress_note_keeps_the_fraction_done():
    from twolayer.ui.compute import Progress

    bar = Progress("Training")
    bar.update(40, 100)  # within SHOW_AFTER of its start: remembered, not drawn
    assert bar.bar is None and bar.fraction == 0.4
    drawn = []
    bar._draw = lambda fraction, text: drawn.append(fraction)
    bar.note("Training — waiting for a free core")
    assert drawn == [0.4]  # waiting for a core does not send the bar back to 0
