"""Export: .tflite + metadata -> the package's default model and the firmware's C files.

Everything the firmware needs from the model is generated here and never hand-edited:
``model_data.cc/.h`` (the bytes, 16-byte aligned, plus the window/rate/class constants)
and ``model_ops.h`` (the ops the MicroMutableOpResolver must register, read from the
model itself).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from wand.errors import ModelError
from wand.model import DEFAULT_MODEL, ModelBundle
from wand.wand_core.classifier import open_interpreter, measure_arena
from wand.wand_core.features import ACC_DIV_MG, GYRO_DIV_DDPS

from .windows import WindowSpec

REPO = Path(__file__).resolve().parent.parent
FIRMWARE_MODEL_DIR = REPO / "firmware" / "magic_wand" / "src" / "model"

# TFLite builtin op -> MicroMutableOpResolver method. An op missing here fails the export.
RESOLVER_METHODS = {
    "CONV_2D": "AddConv2D", "DEPTHWISE_CONV_2D": "AddDepthwiseConv2D",
    "FULLY_CONNECTED": "AddFullyConnected", "SOFTMAX": "AddSoftmax", "RESHAPE": "AddReshape",
    "MAX_POOL_2D": "AddMaxPool2D", "AVERAGE_POOL_2D": "AddAveragePool2D", "MEAN": "AddMean",
    "QUANTIZE": "AddQuantize", "DEQUANTIZE": "AddDequantize", "EXPAND_DIMS": "AddExpandDims",
    "SQUEEZE": "AddSqueeze", "STRIDED_SLICE": "AddStridedSlice", "RELU": "AddRelu", "ADD": "AddAdd",
    "MUL": "AddMul", "CONCATENATION": "AddConcatenation", "PAD": "AddPad", "LOGISTIC": "AddLogistic",
}


def _schema():
    from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as schema_fb
    return schema_fb


@dataclass
class ModelFacts:
    ops: list[str]  # builtin op names in first-use order
    op_calls: int  # operators the interpreter invokes per inference
    macs: int
    params: int
    per_channel_fc: bool = False  # FULLY_CONNECTED weights with one scale per output channel


def inspect(tflite: bytes) -> ModelFacts:
    """Ops, multiply-accumulates per inference and weight count, read from the flatbuffer."""
    fb = _schema()
    model = fb.ModelT.InitFromObj(fb.Model.GetRootAsModel(bytearray(tflite), 0))
    names = {v: k for k, v in vars(fb.BuiltinOperator).items() if not k.startswith("_")}
    graph = model.subgraphs[0]
    shape = lambda t: list(graph.tensors[t].shape)  # noqa: E731
    ops: list[str] = []
    macs = 0
    for op in graph.operators:
        code = model.operatorCodes[op.opcodeIndex]
        name = names[max(code.builtinCode, code.deprecatedBuiltinCode)]
        if name not in ops:
            ops.append(name)
        if name in ("CONV_2D", "DEPTHWISE_CONV_2D"):
            out, w = shape(op.outputs[0]), shape(op.inputs[1])
            per_out = w[1] * w[2] * (w[3] if name == "CONV_2D" else 1)
            macs += int(np.prod(out)) * int(per_out)
        elif name == "FULLY_CONNECTED":
            w = shape(op.inputs[1])
            macs += int(w[0]) * int(w[1])
    per_channel_fc = False
    for op in graph.operators:
        code = model.operatorCodes[op.opcodeIndex]
        if names[max(code.builtinCode, code.deprecatedBuiltinCode)] == "FULLY_CONNECTED":
            q = graph.tensors[op.inputs[1]].quantization
            per_channel_fc |= q is not None and q.scale is not None and len(q.scale) > 1
    params = 0
    for t in graph.tensors:
        buf = model.buffers[t.buffer]
        if buf.data is not None and len(buf.data) and t.type in (fb.TensorType.INT8,):
            params += int(np.prod(t.shape))
    return ModelFacts(ops, len(graph.operators), macs, params, per_channel_fc)


def output_indices(tflite: bytes, num_classes: int) -> tuple[int, int]:
    """(probs, embedding) output indices: softmax outputs are int8 with scale 1/256, zero point -128."""
    it = open_interpreter(tflite, 256 * 1024)
    probs = []
    for i in range(2):
        d = it.get_output_details(i)
        q = d["quantization_parameters"]
        if (list(d["shape"])[-1] == num_classes and abs(float(q["scales"][0]) - 1 / 256) < 1e-9
                and int(q["zero_points"][0]) == -128):
            probs.append(i)
    if len(probs) != 1:
        raise ModelError(f"cannot tell the probability output from the embedding output (candidates {probs})")
    return probs[0], 1 - probs[0]


def make_bundle(tflite: bytes, classes: list[str], spec: WindowSpec, source_rate_hz: int,
                info: dict | None = None, other_class: int = 0) -> ModelBundle:
    probs_i, emb_i = output_indices(tflite, len(classes))
    emb_dims = int(np.prod(open_interpreter(tflite, 256 * 1024).get_output_details(emb_i)["shape"]))
    arena = measure_arena(tflite, (spec.window, 6))
    return ModelBundle(
        tflite=tflite, classes=list(classes), rate_hz=spec.rate_hz, window=spec.window, hop=spec.hop,
        other_class=other_class, probs_output=probs_i, embedding_output=emb_i, embedding_dims=emb_dims,
        arena_bytes=arena, source_rate_hz=source_rate_hz, info=dict(info or {}),
    )


def _c_array(data: bytes) -> str:
    rows = [", ".join(f"0x{b:02x}" for b in data[i:i + 12]) for i in range(0, len(data), 12)]
    return ",\n  ".join(rows)


def firmware_arena(host_bytes: int) -> int:
    """The arena the sketch reserves: the host-measured need plus headroom for 32-bit vs
    64-bit struct sizes (+25% + 1 KB), 16-byte aligned."""
    return (host_bytes * 5 // 4 + 1024 + 15) // 16 * 16


def model_source(head: str, header: str, namespace: str, symbol: str, classes, tflite: bytes) -> str:
    """A generated model's .cc: its class names and its bytes as ``symbol``."""
    names = ", ".join(f'"{c}"' for c in classes)
    return f"""{head}#include "{header}"

namespace {namespace} {{
const char* const kClassNames[kNumClasses] = {{{names}}};
}}  // namespace {namespace}

alignas(16) const unsigned char {symbol}[] = {{
  {_c_array(tflite)}
}};
const unsigned int {symbol}_len = {len(tflite)};
"""


GENERATED = "// Generated by training/export.py from {src}. Do not edit: re-run 'wand train --install'.\n"


def write_firmware(bundle: ModelBundle, out_dir: Path = FIRMWARE_MODEL_DIR) -> list[Path]:
    facts = inspect(bundle.tflite)
    missing = [op for op in facts.ops if op not in RESOLVER_METHODS]
    if missing:
        raise ModelError(f"the model uses ops the firmware resolver does not know: {', '.join(missing)}")
    if facts.per_channel_fc:
        raise ModelError("the model has per-channel FULLY_CONNECTED weights: the Arduino TFLM library's kernel "
                         "uses one scale and would compute them wrong on the chip; quantize dense layers per tensor")
    out_dir.mkdir(parents=True, exist_ok=True)
    src = bundle.path.name if bundle.path else "the trained model"
    head = GENERATED.format(src=src)
    arena = firmware_arena(bundle.arena_bytes)
    h = f"""{head}#pragma once
#include <stdint.h>

namespace wand_model {{
constexpr uint32_t kModelBytes = {len(bundle.tflite)};
constexpr uint32_t kModelCrc32 = 0x{bundle.crc32:08x}u;
constexpr int kRateHz = {bundle.rate_hz};
constexpr int kWindow = {bundle.window};
constexpr int kHop = {bundle.hop};
constexpr int kChannels = {bundle.channels};
constexpr int kNumClasses = {len(bundle.classes)};
constexpr int kOtherClass = {bundle.other_class};
constexpr int kEmbeddingDims = {bundle.embedding_dims};
constexpr int kProbsOutput = {bundle.probs_output};
constexpr int kEmbeddingOutput = {bundle.embedding_output};
constexpr int kAccDivMg = {ACC_DIV_MG};
constexpr int kGyroDivDdps = {GYRO_DIV_DDPS};
constexpr int kArenaBytes = {arena};  // host-measured {bundle.arena_bytes} + 25% + 1 KB
constexpr int kNumOps = {len(facts.ops)};
extern const char* const kClassNames[kNumClasses];
}}  // namespace wand_model

extern const unsigned char g_wand_model[];
extern const unsigned int g_wand_model_len;
"""
    cc = model_source(head, "model_data.h", "wand_model", "g_wand_model", bundle.classes, bundle.tflite)
    calls = "\n".join(f"  if (r.{RESOLVER_METHODS[op]}() != kTfLiteOk) return false;" for op in facts.ops)
    ops_h = f"""{head}#pragma once
// The ops this model uses: {', '.join(facts.ops)}.
#include "model_data.h"
#include "tensorflow/lite/micro/micro_mutable_op_resolver.h"

using WandOpResolver = tflite::MicroMutableOpResolver<wand_model::kNumOps>;

inline bool RegisterWandOps(WandOpResolver& r) {{
{calls}
  return true;
}}
"""
    paths = [out_dir / "model_data.h", out_dir / "model_data.cc", out_dir / "model_ops.h"]
    for p, text in zip(paths, (h, cc, ops_h)):
        p.write_text(text)
    return paths


def read_c_array(cc_path: Path, symbol: str = "g_wand_model") -> bytes:
    """The model bytes back out of a generated model .cc (for tests)."""
    text = cc_path.read_text()
    start = text.index(f"{symbol}[] = {{") + len(f"{symbol}[] = {{")
    body = text[start:text.index("};", start)]
    return bytes(int(tok, 16) for tok in body.replace("\n", " ").split(",") if tok.strip())


def install(bundle: ModelBundle, tflite_path: Path = DEFAULT_MODEL, firmware_dir: Path = FIRMWARE_MODEL_DIR) -> list[Path]:
    """Make ``bundle`` the default model of the simulator, the demo and the firmware."""
    bundle.save(tflite_path)
    return [tflite_path, tflite_path.with_suffix(".json")] + write_firmware(bundle, firmware_dir)
