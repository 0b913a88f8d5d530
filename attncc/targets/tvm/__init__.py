"""What the TVM-based targets (``cpu``, ``webgpu``) share: code generation to TVMScript.

* :mod:`~attncc.targets.tvm.script` -- the TVMScript expression printer and literals;
* :mod:`~attncc.targets.tvm.flash_spec` -- what a flash kernel computes (shapes, hooks,
  key bands) and its calling convention;
* :mod:`~attncc.targets.tvm.bound_plan` -- an attention plan bound to extents, printed
  as the flash spec's TVMScript hooks;
* :mod:`~attncc.targets.tvm.generic` -- the generic lowering (one loop nest per statement).

Targets import this package, :mod:`attncc.lowering` and :mod:`attncc.ir`; never each
other.
"""
