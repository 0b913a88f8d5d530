"""The target-neutral lowering core: what every target's code generator shares.

It imports :mod:`attncc.ir` only; targets import it, never each other. Direction of
imports: ``errors ← ir ← lowering ← targets/base ← targets/{cpu, cuda, webgpu} ← search,
cost_models ← library ← compiler, cli``.

* :mod:`attncc.lowering.liveness` -- the statements an output needs and where tensors
  may be absent (the generic, one-nest-per-statement lowerings).
"""
