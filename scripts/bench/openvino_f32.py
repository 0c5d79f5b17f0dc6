"""Runs a peer script with OpenVINO held to float32: every compile_model gets
INFERENCE_PRECISION_HINT f32, which OpenVINO otherwise sets to bfloat16 on CPUs with
avx512_bf16 or AMX. dogcat-mpi and ONNX Runtime compute in float32 (TF-exact); this is the
same-precision OpenVINO figure beside the default one.
usage: openvino_f32.py PEER.py [PEER's arguments...]"""
import runpy
import sys

import openvino as ov

compile_model = ov.Core.compile_model


def compile_float32(self, model, device_name="CPU", config=None):
    return compile_model(self, model, device_name, {**(config or {}), "INFERENCE_PRECISION_HINT": "f32"})


ov.Core.compile_model = compile_float32
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name="__main__")
