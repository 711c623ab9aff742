"""`wand bench`: the benchmarks behind the README's figures."""

from __future__ import annotations

from . import add_model_argument
from ._common import given, positive_int

HELP = ("benchmarks: model (ours, TFLM magic_wand, DTW, MiniRocket), fewshot, recognisers (issue 15 study), "
        "vocabulary (stroke shapes), strokes (the air-writing stroke model), daemon latency, air (drawing in the air "
        "with intent), control (air mouse, values: drift, loops, latency)")
ORDER = 110


def add_arguments(p) -> None:
    add_model_argument(p)
    p.add_argument("what", choices=["model", "fewshot", "recognisers", "vocabulary", "strokes", "daemon", "air", "control",
                                    "all"])
    p.add_argument("--quick", action="store_true", help="a few training steps: a smoke run, never a figure")
    p.add_argument("--seeds", type=positive_int,
                   help="model, recognisers, vocabulary, strokes, air: seeds 0..N-1 (default 3; --quick 1)")
    p.add_argument("--task", choices=["tflm", "wand", "all"], default="all",
                   help="model: the TFLM example's data and split, the wand's gesture data, or both")
    p.add_argument("--out", type=given, help="folder for plots and JSON (default runs/bench-<date-time>)")


def run(args) -> int:
    from ..bench import bench_cli
    return bench_cli(args)
