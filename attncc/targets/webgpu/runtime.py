"""Dispatching lowered programs through wgpu-native (``wgpu``): one device per process,
buffers, the ``PODArgs`` uniforms, dispatch and read-back, as the launch metadata says
(:mod:`attncc.targets.webgpu.launch`; ``attncc/runtime/attncc.js`` does the same in a browser).

The device is requested with WebGPU's default limits (16 KB of workgroup storage, 256
invocations, 8 storage buffers), so that a kernel a browser would reject fails here too,
and with ``shader-f16`` when the adapter offers it.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import importlib.util
import os
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from attncc.errors import ArgumentError
from attncc.errors import UnsupportedError
from attncc.targets.webgpu.launch import dispatch_size
from attncc.targets.webgpu.launch import pod_bytes
from attncc.targets.webgpu.launch import split_wgsl
from attncc.targets.webgpu.launch import workgroups
from attncc.targets.webgpu.wgsl import WEBGPU_LIMITS

__all__ = ["Device", "DeviceProgram", "device"]

_NP = {"f32": np.float32, "f16": np.float16, "i32": np.int32}


@dataclass(frozen=True)
class Device:
    """The wgpu device attncc dispatches on, and what its adapter offers."""

    handle: Any
    info: dict[str, Any]
    f16: bool


@functools.cache
def device() -> Device:
    """This process's device (lavapipe on a machine without a GPU)."""
    if not os.environ.get("XDG_RUNTIME_DIR"):
        os.environ["XDG_RUNTIME_DIR"] = tempfile.mkdtemp(prefix="attncc-xdg-")
    _load_triton_first()
    try:
        import wgpu
    except ImportError as err:
        raise UnsupportedError(
            "target webgpu needs the wgpu package: pip install 'attncc[webgpu]'"
        ) from err
    adapter = wgpu.gpu.request_adapter_sync(power_preference="high-performance")
    if adapter is None:
        raise UnsupportedError("target webgpu found no WebGPU adapter (install a Vulkan driver)")
    f16 = "shader-f16" in adapter.features
    limits = {k: v for k, v in WEBGPU_LIMITS.items() if k in adapter.limits}
    handle = adapter.request_device_sync(
        required_features=["shader-f16"] if f16 else [], required_limits=limits
    )
    info = {k: adapter.info.get(k, "") for k in ("vendor", "device", "description")}
    info["backend"] = adapter.info.get("backend_type", "")
    return Device(handle, info, f16)


def _load_triton_first() -> None:
    """Load Triton's native library before the Vulkan driver, if Triton is installed.

    Mesa's lavapipe brings its own LLVM; a process that loads it first and Triton's library
    (another LLVM) second crashes in Triton's static initialisers -- so a user who ran a
    webgpu kernel and then a cuda one lost the process. The other order is fine, so the
    library is loaded here, without importing the ``triton`` package (its import decides
    whether kernels are interpreted, which is the cuda target's business).
    """

    try:
        spec = importlib.util.find_spec("triton")
    except (ImportError, ValueError):
        return
    if spec is None or not spec.submodule_search_locations:
        return
    for root in spec.submodule_search_locations:
        lib = os.path.join(root, "_C", "libtriton.so")
        if os.path.isfile(lib):
            with contextlib.suppress(OSError):  # broken: the cuda target says so when used
                ctypes.CDLL(lib, mode=sys.getdlopenflags())
            return


class DeviceProgram:
    """A lowered program on the device: its pipelines, built once, run many times."""

    def __init__(self, wgsl: str, launch: Mapping[str, Any]):
        self.launch = launch
        dev = device()
        if launch.get("f16") and not dev.f16:
            raise UnsupportedError(
                "this webgpu kernel stores f16 tensors but the adapter lacks shader-f16; "
                "lower it again on this machine (it then widens f16 to f32)"
            )
        texts = split_wgsl(wgsl)
        self.pipelines = []
        for k in launch["kernels"]:
            module = dev.handle.create_shader_module(code=texts[k["entry"]])
            pipe = dev.handle.create_compute_pipeline(
                layout="auto", compute={"module": module, "entry_point": k["entry"]}
            )
            self.pipelines.append(pipe)

    def run(
        self,
        arrays: Mapping[str, np.ndarray],
        scalars: Mapping[str, Any],
        extents: Mapping[str, int],
    ) -> dict[str, np.ndarray]:
        """Outputs by program name, for inputs by program name (in their storage dtype)."""
        import wgpu

        dev = device().handle
        usage = wgpu.BufferUsage
        bufs: dict[str, Any] = {}
        outputs: dict[str, tuple[Any, tuple[int, ...], Any, int]] = {}
        for b in self.launch["buffers"]:
            shape = tuple(int(extents[r]) for r in b["ranks"])
            dtype = _NP[b["type"]]
            nbytes = max(int(np.prod(shape, dtype=np.int64)) * np.dtype(dtype).itemsize, 4)
            nbytes += -nbytes % 4
            if b["role"] == "input":
                data = np.ascontiguousarray(arrays[b["arg"]]).astype(dtype, copy=False)
                raw = data.tobytes() + bytes(nbytes - data.nbytes)
                bufs[b["name"]] = dev.create_buffer_with_data(data=raw, usage=usage.STORAGE)
            else:
                bufs[b["name"]] = dev.create_buffer(
                    size=nbytes, usage=usage.STORAGE | usage.COPY_SRC
                )
                if b["role"] == "output":
                    outputs[b["arg"]] = (bufs[b["name"]], shape, dtype, nbytes)
        encoder = dev.create_command_encoder()
        sources = self.launch["scalars"]
        for k, pipe in zip(self.launch["kernels"], self.pipelines, strict=True):
            groups = workgroups(k["grid"], extents)
            pod = pod_bytes(k, sources, extents, scalars, groups)
            uniform = dev.create_buffer_with_data(data=pod, usage=usage.UNIFORM)
            entries = [
                {"binding": i, "resource": {"buffer": bufs[n], "offset": 0, "size": bufs[n].size}}
                for i, n in enumerate(k["buffers"])
            ]
            entries.append(
                {
                    "binding": len(k["buffers"]),
                    "resource": {"buffer": uniform, "offset": 0, "size": len(pod)},
                }
            )
            group = dev.create_bind_group(layout=pipe.get_bind_group_layout(0), entries=entries)
            compute = encoder.begin_compute_pass()
            compute.set_pipeline(pipe)
            compute.set_bind_group(0, group)
            compute.dispatch_workgroups(*dispatch_size(groups))
            compute.end()
        dev.queue.submit([encoder.finish()])
        result = {}
        for name, (buf, shape, dtype, _) in outputs.items():
            raw = dev.queue.read_buffer(buf)
            count = int(np.prod(shape, dtype=np.int64))
            result[name] = np.frombuffer(raw, dtype=dtype, count=count).reshape(shape).copy()
        return result


def host_array(array: np.ndarray, device_type: str) -> np.ndarray:
    """An input in the element type its device buffer holds (i8 / bool widen to i32)."""
    want = _NP[device_type]
    if array.dtype == want:
        return array
    if array.dtype.kind == "f" and want is np.int32:
        raise ArgumentError(f"a float array cannot fill an i32 device buffer ({array.dtype})")
    return array.astype(want)
