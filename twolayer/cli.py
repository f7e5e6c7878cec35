"""The command line: python -m twolayer {train,compare,gradcheck,lockstep,bench}.

Exit codes: 0 done, 1 the run diverged (inf/NaN loss), 2 bad arguments.
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import asdict

from .config import (
    DTYPES,
    KINDS,
    MAX_ITERATIONS,
    SPECS,
    Config,
    budget_from_mb,
    check_int,
    choices,
    fit_to_data,
)
from .i18n import LANGUAGES, _, language
from .serving.budget import DEFAULT_CLI_BUDGET, budget_from_text, check_compute

EXIT_DIVERGED, EXIT_USAGE = 1, 2
EXIT_NOT_GRADED = 1  # grade: some file could not be graded
DEFAULTS = Config()


class UsageError(Exception):
    """A bad argument, reported as one line with exit code 2."""


class Parser(argparse.ArgumentParser):
    """argparse, but errors raise instead of printing the usage and exiting."""

    def error(self, message):
        raise UsageError(message)


MAX_JOBS = 64  # processes for --jobs: each holds torch (~0.3 GB)


def _jobs(text: str) -> int:
    """--jobs: a whole number from 1 to MAX_JOBS."""
    try:
        jobs = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 1 <= jobs <= MAX_JOBS:
        raise argparse.ArgumentTypeError(f"{jobs} is outside 1 to {MAX_JOBS}")
    return jobs


def build_parser() -> Parser:
    parser = Parser(
        prog="python -m twolayer",
        description="A two-layer ReLU network, trained by hand-written backprop (numpy) and "
                    "by autograd (torch) from the same data and weights, and compared.",
        epilog="Exit codes: 0 done, 1 training diverged (inf/NaN loss), a lock-step run "
               "failed or a gradient check failed, 2 bad arguments. Defaults are the "
               "assignment's.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    train = commands.add_parser("train", help="train one method, print 't loss' per iteration")
    train.add_argument("--method", choices=("numpy", "torch"), default="numpy")
    compare = commands.add_parser("compare", help="both methods from the same data and weights")
    check = commands.add_parser("gradcheck", help="manual vs autograd vs finite differences")
    check.add_argument("--samples", type=int, default=20, help="entries of w1 and of w2 (20)")
    check.add_argument("--at-iteration", type=int, default=0, help="check after this many steps")
    lock = commands.add_parser("lockstep", help="both methods side by side, per-iteration drift")
    _add_lockstep_flags(lock)
    bench = commands.add_parser("bench", help="ms/iteration of each method against its floor")
    bench.add_argument("--repeats", type=int, default=5, help="median of this many runs (5)")
    for sub in (train, compare, check, lock, bench):
        _add_config_flags(sub)
    grade = commands.add_parser("grade", help="check completed assignments (.py, .ipynb), "
                                              "blank by blank; nothing in them is executed")
    grade.add_argument("files", nargs="*", metavar="FILE",
                       help=".py, .ipynb, or .zip of them (a folder per student is fine)")
    grade.add_argument("--graph", metavar="FILE",
                       help="check question 1's computational graph: a .dot / .gv file, "
                            "or the page's text notation; exit 0 right, 1 not, 2 unreadable")
    grade.add_argument("--json", action="store_true", help="print one JSON object")
    grade.add_argument("--csv", action="store_true",
                       help="print the gradebook: a row per file, a column per blank")
    grade.add_argument("--summary", action="store_true",
                       help="print the class at a glance: per blank, statuses and mistakes")
    grade.add_argument("--similar", action="store_true",
                       help="print the files that share uncommon code")
    grade.add_argument("--feedback", metavar="DIR",
                       help="write a feedback file (Markdown) per student into DIR")
    grade.add_argument("--jobs", type=_jobs, default=None,
                       help=f"grade on this many processes, 1 to {MAX_JOBS} (default: the "
                            "cores)")
    grade.add_argument("--lang", choices=tuple(LANGUAGES), default=None,
                       help="the language of the messages and feedback (default: from "
                            "LC_ALL, LC_MESSAGES or LANG: zh… is zh, anything else en)")
    return parser


def environment_language(environ=os.environ) -> str:
    """grade's language by default: the locale's (LC_ALL, else LC_MESSAGES, else LANG, as
    gettext reads them), zh for a Chinese one, en for any other or none."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name)
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


def _add_lockstep_flags(parser: argparse.ArgumentParser) -> None:
    from .variants import BUGS, RELU_CONVENTIONS

    parser.add_argument("--dtype-numpy", choices=DTYPES, help="the manual method's (--dtype)")
    parser.add_argument("--dtype-torch", choices=DTYPES, help="autograd's (--dtype)")
    parser.add_argument("--bug", choices=tuple(BUGS), default="none",
                        help="inject a classic mistake (none)")
    parser.add_argument("--relu", choices=tuple(RELU_CONVENTIONS), default="relu",
                        help="derivative convention at h == 0 (relu: mask h > 0)")
    parser.add_argument("--zero-w1", action="store_true", help="start from w1 = 0")
    parser.add_argument("--every", type=int, default=50, help="text: print every k-th row (50)")


def _add_config_flags(parser: argparse.ArgumentParser) -> None:
    """A flag per configuration field, derived from the field's own declaration (type,
    default, choices, help); the sizes, step and length default to the data kind's
    starting values (the assignment's for its noise), and a flag given overrides them."""
    for name, spec in SPECS.items():
        flag, default = "--" + name.replace("_", "-"), getattr(DEFAULTS, name)
        help_text = f"{spec.help[:1].lower()}{spec.help[1:].rstrip('.')}"
        if spec.label and spec.label != name:
            help_text = f"{spec.label}: {help_text}"
        if isinstance(default, bool):  # on by default: the flag turns it off
            parser.add_argument(f"--no-{name}", action="store_true",
                                help=f"do not {name} (by default, {help_text})")
        elif isinstance(default, tuple):
            parser.add_argument(flag, type=str, default="", help=help_text)
        elif name == "csv":  # a file's digest in a configuration, the file itself here
            parser.add_argument(flag, type=str, default=None, metavar="FILE", help=help_text)
        else:
            preset = name in PRESET_FIELDS
            parser.add_argument(flag, type=type(default), choices=choices(name),
                                default=None if preset else default,
                                help=f"{help_text} ({_defaults_text(name)})")
    parser.add_argument("--memory-budget-mb", type=float, default=None,
                        help="refuse configurations needing more (2048)")
    parser.add_argument("--compute-budget-s", type=float, default=None,
                        help="refuse commands estimated to compute longer (3600)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")


PRESET_FIELDS = frozenset(name for kind in KINDS.values() for name in kind.preset)


def _defaults_text(name: str) -> str:
    """A flag's default, and each data kind's own where it differs: "64; sine 200"."""
    from .data.kinds import CSV_STEP

    default = getattr(DEFAULTS, name)
    parts = [f"{default:g}" if isinstance(default, float) else str(default)]
    for kind in list(KINDS.values())[1:]:
        if name in kind.fixed:
            parts.append(f"fixed for {kind.name}")
        elif name in kind.preset and kind.preset[name] != default:
            value = kind.preset[name]
            parts.append(f"{kind.name} {value:g}" if isinstance(value, float) else
                         f"{kind.name} {value}")
        elif name == "learning_rate" and kind.name == "csv":
            parts.append(f"csv {CSV_STEP:g}/N")
    return "; ".join(parts)



CSV_FIELDS = ("csv", "inputs", "targets", "standardize")  # set from --csv and its flags


def config_from_args(args: argparse.Namespace) -> Config:
    """The validated Config the flags describe: the data kind's starting values, then the
    flags given."""
    from .data import csv_learning_rate, preset

    kind = "csv" if args.csv is not None else args.data
    given = {name: getattr(args, name) for name in SPECS
             if name not in CSV_FIELDS and getattr(args, name) is not None}
    raw = args.memory_budget_mb
    budget = None if raw is None else budget_from_mb(raw, "--memory-budget-mb")
    config = preset(Config(standardize=not args.no_standardize), kind).replace(**given)
    config = fit_to_data(config.replace(data=kind))
    if kind == "csv":
        config = _with_csv_file(config, args)
        if args.learning_rate is None:
            config = config.replace(learning_rate=csv_learning_rate(config.n))
    return config.validated(budget)


def _with_csv_file(config: Config, args) -> Config:
    from .data import with_csv

    if args.csv is None:
        raise UsageError("--data csv needs --csv FILE with --inputs and --targets")
    try:
        raw = open(args.csv, "rb").read()  # noqa: SIM115 - read at once
    except OSError as error:
        raise UsageError(f"--csv: cannot read {args.csv!r}: {error.strerror}") from None
    columns = [tuple(c.strip() for c in text.split(",") if c.strip())
               for text in (args.inputs, args.targets)]
    return with_csv(config, raw, *columns)


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        if args.command == "grade":
            with language(args.lang or environment_language()):
                return grade_command(args)
        config = config_from_args(args)
        check_command_cost(args, config)
        return COMMANDS[args.command](args, config)
    except (UsageError, ValueError) as error:
        print(f"twolayer: error: {error}", file=sys.stderr)
        return EXIT_USAGE


def grade_command(args) -> int:
    """grade: a graph file (question 1), or the assignments."""
    if args.graph:
        if args.files:
            raise UsageError(_("--graph checks one graph file: grade the .py files apart"))
        return cmd_graph(args.graph)
    if not args.files:
        raise UsageError(_("grade needs FILE arguments (or --graph FILE)"))
    return cmd_grade(args)


def check_command_cost(args, config: Config) -> None:
    """Refuse, before anything runs, a command estimated to exceed the compute budget."""
    raw = args.compute_budget_s
    budget = None if raw is None else budget_from_text(raw, "--compute-budget-s")
    runs = {"train": 1, "compare": 2, "lockstep": 2,
            "gradcheck": 1 + 2 / config.iterations,  # the steps to --at-iteration, one check
            "bench": 4 * (getattr(args, "repeats", 1) + 1)}[args.command]  # and warm-ups
    check_compute(config, runs, f"`{args.command}`", budget, DEFAULT_CLI_BUDGET)


def cmd_train(args, config: Config) -> int:
    from .methods import train

    if args.method == "numpy" and config.device != "cpu":
        raise UsageError("--device cuda applies to --method torch; numpy runs on the CPU")
    run = train(args.method, config)
    if args.json:
        _print_json({
            "method": run.method, "config": config.as_dict(), "losses": run.losses.tolist(),
            "final_loss": run.final_loss, "diverged_at": run.diverged_at,
            "ms_per_iter": run.ms_per_iter,
        })
    else:
        for t, loss in enumerate(run.losses):
            print(t, float(loss))  # the assignment's `print(t, loss)`
    return _report_divergence({args.method: run.diverged_at}, config)


COMPARE_LABELS = {  # key: its line in the text output
    "max_abs_loss_diff": "max |loss difference|, absolute",
    "max_rel_loss_diff": "max |loss difference|, relative",
    "max_abs_w1_diff": "max |w1 difference|, final weights",
    "max_abs_w2_diff": "max |w2 difference|, final weights",
    "final_loss_numpy": "final loss, numpy",
    "final_loss_torch": "final loss, torch",
    "ms_per_iter_numpy": "ms/iteration, numpy",
    "ms_per_iter_torch": "ms/iteration, torch",
}


def cmd_compare(args, config: Config) -> int:
    from .checking.compare import compare

    result = compare(config)
    diverged = {m: result[f"diverged_at_{m}"] for m in ("numpy", "torch")}
    if args.json:
        _print_json({"config": config.as_dict(), **result})
    else:
        for key, label in COMPARE_LABELS.items():
            print(f"{label:36} {_compare_value(key, result[key], diverged)}")
        for method, t in diverged.items():
            print(f"{'diverged at, ' + method:36} {'never' if t is None else f'iteration {t}'}")
    return _report_divergence(diverged, config)


def _compare_value(key: str, value, diverged: dict) -> str:
    """A figure, or why there is none: the weights and speed of a diverged run mean nothing."""
    if value is not None:
        return _fmt(value)
    if key.startswith("ms_per_iter"):
        method = key.rsplit("_", 1)[1]
        return "— (diverged)" if diverged[method] is not None else "— (one iteration: warm-up)"
    return "— (a run diverged: its weights are inf/NaN)"


def cmd_gradcheck(args, config: Config) -> int:
    from .checking.compare import gradcheck

    result = gradcheck(config, samples=args.samples, at_iteration=args.at_iteration)
    if args.json:
        _print_json({"config": config.as_dict(), "at_iteration": args.at_iteration, **result})
    else:
        print(f"gradient check after {args.at_iteration} iterations: {result['dtype']}, "
              f"{result['entries_checked']} sampled entries of w1 and w2, "
              f"finite-difference step {result['eps']:g}")
        for name, label in (("manual_vs_autograd", "manual vs autograd"),
                            ("manual_vs_numeric", "manual vs finite differences"),
                            ("autograd_vs_numeric", "autograd vs finite differences")):
            error, limit = result[f"rel_err_{name}"], result[f"tolerance_{name}"]
            print(f"{label:31} {error:.1e} vs tolerance {limit:.1e}  "
                  f"{VERDICTS[result[f'verdict_{name}']]}")
    failed = [k for k, v in result.items() if k.startswith("verdict_") and v == "fail"]
    return EXIT_DIVERGED if failed else 0


VERDICTS = {"pass": "PASS", "fail": "FAIL", "not finite": "NOT FINITE (diverged)",
            "no digits": "NO DIGIT GUARANTEED (the dtype's rounding bound exceeds the gradient)"}


def cmd_lockstep(args, config: Config) -> int:
    from .lockstep import DIFFERENCES, RECORDS, Options, lockstep

    every = min(check_int("every", args.every, 1, MAX_ITERATIONS), config.iterations)
    options = Options(args.dtype_numpy or config.dtype, args.dtype_torch or config.dtype,
                      args.bug, args.relu, args.zero_w1).checked()
    result = lockstep(config, options)
    if args.json:
        ran = result.iterations_run
        _print_json({
            "config": config.as_dict(), "options": asdict(options),
            "iterations_run": ran, "diverged_at": result.diverged_at, "error": result.error,
            "per_iteration": {name: result.records[name][:ran].tolist() for name in RECORDS},
            "max": result.maxima(),
        })
    elif result.iterations_run:  # a step that fails at once leaves nothing to tabulate
        print("t " + " ".join(DIFFERENCES))
        for t in range(0, result.iterations_run, every):
            print(t, " ".join(f"{result.records[name][t]:.3g}" for name in DIFFERENCES))
        print("max " + " ".join(_fmt(v) for v in result.maxima().values()))
    if result.error:
        print(f"twolayer: {result.error}", file=sys.stderr)
        return EXIT_DIVERGED
    return _report_divergence({"lock-step": result.diverged_at}, config)


def cmd_bench(args, config: Config) -> int:
    from .checking.bench import bench

    result = bench(config, repeats=args.repeats)
    if args.json:
        _print_json(result)
        return 0
    c, ms = result["config"], result["ms_per_iter"]
    print(f"N={c['n']} D_in={c['d_in']} H={c['hidden']} D_out={c['d_out']}, float64, "
          f"{c['iterations']} iterations, median of {result['repeats']}")
    print(f"{'':24}{'ms/iter':>9}{'floor':>9}{'ratio':>8}")
    for name, label in (("numpy", "numpy manual backprop"), ("torch", "torch autograd")):
        ratio = result[f"ratio_{name}"]
        print(f"{label:24}{ms[name]:9.3f}{ms[name + '_floor']:9.3f}{ratio:7.2f}x")
    return 0


def cmd_graph(path: str) -> int:
    """Question 1: the graph in a file checked; each finding printed."""
    from .question import GraphError, check, parse, read
    from .question.dotfile import MAX_BYTES

    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_BYTES + 1)  # over the bound: refused as such, unread
        text = raw.decode("utf-8")
        graph = read(text) if path.lower().endswith((".dot", ".gv")) else parse(text)
    except OSError as error:
        raise UsageError(_("cannot read {path}: {why}", path=path, why=error.strerror)) from None
    except UnicodeDecodeError:
        raise UsageError(_("{path} is not UTF-8 text", path=path)) from None
    except GraphError as error:
        raise UsageError(f"{path}: {error}") from None
    verdict = check(graph)
    if verdict.correct:
        print(_("{path}: correct: the assignment's graph", path=path))
        return 0
    print(_("{path}: not the assignment's graph", path=path))
    for finding in verdict.findings:
        print("  " + _("{kind}: {message}. {hint}", kind=finding.kind, message=finding.message,
                       hint=finding.hint))
    return 1


def cmd_grade(args) -> int:
    """Grade each file (a zip member by member), printing each grade as it is made; exit 0
    when every file was graded, 1 when one was not (its line on stderr says why)."""
    from .grading import batch, submissions
    from .serving import threads

    threads.limit(1)  # one thread does all the work, so the CPU bounds count all of it
    found = submissions.from_paths(args.files)
    jobs = args.jobs or threads.cores()
    grades = []
    for k, grade in enumerate(batch.grade_all(found, jobs), 1):
        grade.path = _shown(grade.path)
        grades.append(grade)
        if not grade.graded:
            print("twolayer: " + _("{path}: not graded: {error}", path=grade.path,
                                   error=grade.error), file=sys.stderr, flush=True)
        elif not (args.json or args.csv or args.summary or args.similar):
            _print_grade(grade)
        if sys.stderr.isatty():
            print("\r" + _("graded {k} of {count} files", k=k, count=len(found)), end="",
                  file=sys.stderr, flush=True)
    if sys.stderr.isatty():
        print(file=sys.stderr)
    _grade_outputs(args, grades)
    return EXIT_NOT_GRADED if any(not g.graded for g in grades) else 0


def _grade_outputs(args, grades) -> None:
    from .grading import gradebook, similar

    if args.json:
        _print_json(gradebook.as_json(grades))
    if args.csv:
        sys.stdout.write(gradebook.csv_text(grades))
    if args.summary:
        sys.stdout.write(gradebook.summary_text(grades))
    if args.similar:
        sys.stdout.write(similar.groups_text(grades))
    if args.feedback:
        import pathlib

        folder = pathlib.Path(args.feedback)
        folder.mkdir(parents=True, exist_ok=True)
        for name, grade in zip(gradebook.feedback_names(grades), grades, strict=True):
            (folder / name).write_text(gradebook.feedback(grade), encoding="utf-8")


def _shown(path: str) -> str:
    """A path as it can be printed: a name's undecodable bytes (kept by Python as lone
    surrogates) shown as �, so that one odd name never stops the batch's output."""
    return path.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _print_grade(grade) -> None:
    from .exercise.checks import status_label
    from .grading.gradebook import MARKS

    marks = " ".join(MARKS[b["status"]] for b in grade.blanks)
    print(f"{grade.path}: {grade.score}/{grade.total}  {marks}")
    for blank in grade.blanks:
        if blank["status"] != "correct":
            print("  " + _("blank {number} {status}: {message}", number=blank["blank"],
                           status=status_label(blank["status"]), message=blank["message"]))
    for cell in grade.run.values():
        if cell["status"] != "trains":
            print("  " + _("whole run: {message}", message=cell["message"]))
    sys.stdout.flush()


COMMANDS = {"train": cmd_train, "compare": cmd_compare, "gradcheck": cmd_gradcheck,
            "lockstep": cmd_lockstep, "bench": cmd_bench}


def _report_divergence(diverged_at: dict, config: Config) -> int:
    """Tell stderr which method diverged and what to change; the exit code."""
    from .checking.advice import divergence_advice, stable_learning_rate

    hits = {m: t for m, t in diverged_at.items() if t is not None}
    for method, t in hits.items():
        print(f"twolayer: {method} diverged at iteration {t} (loss inf/NaN).", file=sys.stderr)
    if hits:
        advice = divergence_advice(config, stable_learning_rate(config))
        print(f"twolayer: {advice}", file=sys.stderr)
    return EXIT_DIVERGED if hits else 0


def _fmt(value, digits: int = 6) -> str:
    return f"{value:.{digits}g}" if isinstance(value, float) else str(value)


def _print_json(obj) -> None:
    from .outputs.export import json_text

    sys.stdout.write(json_text(obj))
