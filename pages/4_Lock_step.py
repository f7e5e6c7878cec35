"""Lock-step explorer: where and why manual backprop and autograd agree or drift."""

import streamlit as st

from twolayer import ui
from twolayer.checking.advice import mean_learning_rate
from twolayer.checking.compare import DEFAULT_EPS, FD_TOLERANCE
from twolayer.lockstep import SWEEP_POINTS
from twolayer.outputs import figures
from twolayer.ui import options
from twolayer.variants import BUGS, RELU_CONVENTIONS

config = ui.page("Lock-step", "👣", ui.lockstep_view.OPTIONS, runs=4.5)
st.title("Lock-step explorer")
st.markdown(
    "Both methods start from the same data and weights and take their steps side by side; "
    "after every iteration the explorer compares their losses, weights and gradients. Choose a "
    "dtype for each method, a ReLU convention, or inject a classic bug, and watch where the two "
    "part ways. The address bar keeps these choices: a copied link shows the same view."
)
variant = ui.lockstep_view.lockstep_controls(config)
variant_notes = [RELU_CONVENTIONS[variant.relu].note, BUGS[variant.bug].note]
st.caption(" ".join(note for note in variant_notes if note))

drift_tab, check_tab, relu_tab, mean_tab = ui.lockstep_view.tabs()  # only the open one runs

if drift_tab.open:
    with drift_tab:
        st.markdown(
            "Each line is a largest absolute difference between the methods at that "
            "iteration, on a log scale: in float64 both sit near rounding level (~1e-15 for "
            "the weights); give one method float32 and the gap grows to float32's rounding "
            "and beyond."
        )
        notices = st.container()
        drift, losses = (column.empty() for column in st.columns(2))

    def draw(run, keyed=False):
        drift.plotly_chart(figures.lockstep_drift(run), key="lockstep_drift" if keyed else None)
        losses.plotly_chart(figures.lockstep_losses(run),
                            key="lockstep_losses" if keyed else None)

    result = ui.lockstep_view.lockstep_run(config, variant, draw)
    with notices:
        if result.error:
            st.error(result.error)
        elif result.diverged_at is not None:
            st.error(f"The lock-step run diverged at iteration {result.diverged_at} (a loss "
                     f"became inf/NaN). Lower the learning rate (now {config.learning_rate:g}) "
                     "or remove the injected bug.")
    with drift_tab:
        if result.iterations_run == 0:
            drift.info("No iteration ran, so there is nothing to compare: the first step "
                       "fails (see the error above, and the marked line in the code on the "
                       "gradient check's tab).")
            losses.empty()
        else:
            draw(result, keyed=True)
            st.table(ui.lockstep_view.maxima_table(result))
            ui.lockstep_view.downloads(config, variant, result)

if check_tab.open:
    with check_tab:
        st.markdown(
            "At the chosen iteration each method takes its step, and the gradient it applied "
            "(read from the step itself, so a wrong update is caught too) is compared with the "
            "other method and with central finite differences (L(w + ε) − L(w − ε)) / 2ε on 20 "
            f"sampled entries of w1 and of w2. ε = {DEFAULT_EPS:g}, smaller for an entry of w1 "
            "where ±ε would push some h across 0: the loss is quadratic between ReLU kinks, so "
            "the differences are then exact up to rounding. Each badge holds its relative error "
            "to a tolerance derived from the dtype: the worst-case rounding of the method's "
            "forward and backward pass (every sum of K products is within K·u of exact, "
            f"u = 2⁻²⁴ for float32, 2⁻⁵³ for float64), plus {FD_TOLERANCE:g} for the finite "
            "differences. Late in a float32 run y_pred − y is tiny next to the products that "
            "make y_pred, and float32 guarantees no digit of the gradient: those badges are "
            "gray."
        )
        at_iteration = options.iteration_slider("at_iteration", "iteration", config.iterations)
        shows_from = BUGS[variant.bug].shows_from
        if at_iteration < shows_from:
            st.warning(f"At t = {at_iteration} this bug does not show yet: the first step is "
                       f"the correct one. Move the slider to t = {shows_from} or later to see "
                       "it bite.")
        check = ui.lockstep_view.gradient_check(config, variant, at_iteration)
        if "error" in check:
            st.error(check["error"])
        else:
            ui.lockstep_view.gradcheck_badges(check)
            st.caption("First sampled entries of dL/dw1 as each method applied it:")
            st.table({key: [f"{v:.6g}" for v in column[:5]]
                      for key, column in check["values_w1"].items()})
        st.markdown("**The code that ran**")
        st.caption("The manual step and backward pass, then the autograd step and forward "
                   "pass, as compiled for this run; lines changed by the ReLU convention or "
                   "the bug are marked.")
        ui.lockstep_view.show_listings(ui.lockstep_view.listings(variant),
                                 ("manual_step", "backprop", "autograd_step", "forward_loss"))

if relu_tab.open:
    with relu_tab:
        st.markdown(
            "relu has no derivative at h = 0, so each library picks one: `torch.relu` uses 0 "
            "(the mask `h > 0`), `clamp(min=0)` uses 1 (`h >= 0`), and `torch.maximum(h, 0)`, "
            "the assignment's method 2, splits a tie evenly, 0.5 each way. Random weights "
            "almost never hit h = 0 exactly; starting from w1 = 0 makes every h zero, and the "
            "convention decides everything:"
        )
        demo = ui.lockstep_view.relu_zero(config)
        st.table({
            "convention": [RELU_CONVENTIONS[k].label for k in demo],
            "loss at t=0": [f"{v['first_loss']:.6g}" for v in demo.values()],
            "loss at the end": [f"{v['final_loss']:.6g}" for v in demo.values()],
            "max |w1| at the end (numpy / torch)": [
                f"{v['max_abs_w1']:.3g} / {v['max_abs_w1_torch']:.3g}" for v in demo.values()],
        })
        st.caption("With the mask h > 0 every grad_h is zero, so w1 never moves (and neither "
                   "does w2, since h_relu = 0): the network is stuck. Runs here are at most 50 "
                   "iterations.")

if mean_tab.open:
    with mean_tab:
        factor = config.n * config.d_out
        st.markdown(
            f"The summed loss is N·D_out = {factor:,} times the mean, and so are its "
            f"gradients: train the mean loss with η·N·D_out = {mean_learning_rate(config):g} "
            "and it retraces the summed run exactly (the name “MSE” belongs to the mean). At "
            f"the same η the mean loss takes steps {factor:,} times smaller and barely moves."
        )
        st.caption(f"Two runs of {config.iterations:,} iterations, then {SWEEP_POINTS} runs at "
                   "learning rates from η/1000 to η·30 (a run that diverges stops there).")
        if ui.lockstep_view.within_budget(config, runs=2 + SWEEP_POINTS):
            run_sum, run_mean = ui.lockstep_view.sum_and_mean(config)
            curves, sweep = st.columns(2)
            curves.plotly_chart(figures.sum_vs_mean(run_sum, run_mean, factor),
                                key="sum_vs_mean")
            sweep.plotly_chart(figures.learning_rate_sweep(ui.lockstep_view.sweep(config),
                                                           config.learning_rate),
                               key="lr_sweep")
        st.markdown(
            "With the summed loss the gradient grows with N, so the same η takes steps 16 "
            "times larger at N = 1024 than at N = 64 — past the largest stable step for this "
            "loss's curvature, so the assignment's η = 1e-6 diverges there within a few "
            "iterations while the mean loss does not."
        )
