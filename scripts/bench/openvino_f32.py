"""Runs a peer script with OpenVINO held to float32: every compile_model gets
INFERENCE_PRECISION_HINT f32, which OpenVINO otherwise sets to bfloat16 on CPUs with
avx512_bf16 or AMX. dogcat-mpi and ONNX Runtime compute in float32 (TF-exact); this is the
same-precision OpenVINO figure beside the default one. (Under ONEDNN_MAX_CPU_ISA=AVX2 the hint
is needed too: OpenVINO would still ask for bfloat16, and fail.)

OpenVINO is patched when the peer imports it, not before: a pipeline peer that starts its clock
before its imports (peer_ov.py) then times OpenVINO's import as it does without this wrapper.
usage: openvino_f32.py PEER.py [PEER's arguments...]"""
import importlib.abc
import importlib.util
import runpy
import sys


def hold_to_float32(ov):
    compile_model = ov.Core.compile_model

    def compile_float32(self, model, device_name="CPU", config=None):
        return compile_model(self, model, device_name, {**(config or {}), "INFERENCE_PRECISION_HINT": "f32"})

    ov.Core.compile_model = compile_float32


class PatchOnImport(importlib.abc.MetaPathFinder):
    """Finds `openvino` the usual way and patches the module once it has run."""

    def find_spec(self, name, path, target=None):
        if name != "openvino":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        run_module = spec.loader.exec_module

        def run_and_patch(module):
            run_module(module)
            hold_to_float32(module)

        spec.loader.exec_module = run_and_patch
        return spec


sys.meta_path.insert(0, PatchOnImport())
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name="__main__")
