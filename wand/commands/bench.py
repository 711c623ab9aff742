"""`wand bench`: the benchmarks behind the README's figures."""

from __future__ import annotations

from . import add_model_argument

HELP = "benchmarks: model (ours vs TFLM magic_wand), fewshot, daemon latency"
ORDER = 110


def add_arguments(p) -> None:
    add_model_argument(p)
    p.add_argument("what", choices=["model", "fewshot", "daemon", "all"])
    p.add_argument("--quick", action="store_true", help="fewer epochs (a smoke run, not the figures)")
    p.add_argument("--out", help="folder for plots and JSON (default runs/bench-<date-time>)")


def run(args) -> int:
    from ..bench import bench_cli
    return bench_cli(args)
