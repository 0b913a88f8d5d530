"""The generic lowering of the CUDA target: every valid program compiles, one kernel per
statement.

Each live statement (:func:`attncc.lowering.liveness.live_statements`) becomes one Triton
kernel over its output elements in C order, ``BLOCK_M`` of them per program. A map computes
its value for the block; a reduction walks its reduced ranks (flattened) ``BLOCK_N`` points
at a time, a ``[BLOCK_M, BLOCK_N]`` tile per step reduced with ``tl.sum`` / ``tl.max`` /
``tl.min``. Kernels run in program order on one stream; intermediates live in buffers the
host allocates (:class:`~attncc.targets.cuda.launch.LaunchPlan`).

Absence follows the language: a point is present where its filter holds and every element
it reads is present. Tensors that can be absent element by element
(:func:`attncc.lowering.liveness.presence`) get an int8 presence buffer ``X$ok`` that
readers test; a reduction with no present point stores 0 and marks its element absent.
(Compiled kernels run only at non-empty extents, so no tensor is absent as a whole.) Loads
are clamped or masked by the printer, so a point's value may be computed from clamped reads
where it is absent: the result is discarded, never stored.

Every extent, param and let is a kernel argument: one build serves every shape. Values are
``float32`` / ``int32`` (the interpreter's float64 / int64): compare with a tolerance.
Stores round to the statement's dtype (``f16``, ``bf16``, ``i8`` wrap) and are held in
float32 / int32 buffers (``bool`` in int8).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from attncc.errors import LoweringError
from attncc.ir.nodes import Access
from attncc.ir.nodes import DType
from attncc.ir.nodes import Program
from attncc.ir.nodes import ReduceOp
from attncc.ir.nodes import Stmt
from attncc.ir.nodes import accesses_in
from attncc.ir.printer import format_stmt
from attncc.ir.validate import validate
from attncc.lowering.liveness import live_statements
from attncc.lowering.liveness import presence
from attncc.lowering.printer import COMPUTE
from attncc.lowering.printer import Namer
from attncc.lowering.printer import Typed
from attncc.targets.cuda.launch import ArgSpec
from attncc.targets.cuda.launch import BufferSpec
from attncc.targets.cuda.launch import GridDim
from attncc.targets.cuda.launch import Launch
from attncc.targets.cuda.launch import LaunchPlan
from attncc.targets.cuda.printer import HELPERS
from attncc.targets.cuda.printer import POINTER
from attncc.targets.cuda.printer import TensorRef
from attncc.targets.cuda.printer import TritonPrinter
from attncc.targets.cuda.printer import convert

__all__ = ["GenericKernels", "generate_generic"]

#: How an intermediate of each dtype is held (bf16 / f16 rounded in float32, i8 in int32).
_HELD = {
    DType.F32: DType.F32,
    DType.F16: DType.F32,
    DType.BF16: DType.F32,
    DType.I32: DType.I32,
    DType.I8: DType.I32,
    DType.BOOL: DType.BOOL,
}
_BUFFER = {DType.F32: "fp32", DType.I32: "i32", DType.BOOL: "i8"}
_RETURNED = {
    DType.F32: "float32",
    DType.BF16: "float32",
    DType.F16: "float16",
    DType.I32: "int32",
    DType.I8: "int8",
    DType.BOOL: "bool",
}
_IDENTITY = {
    (ReduceOp.SUM, "float32"): "0.0",
    (ReduceOp.SUM, "int32"): "0",
    (ReduceOp.MAX, "float32"): "float('-inf')",
    (ReduceOp.MAX, "int32"): "-2147483648",
    (ReduceOp.MIN, "float32"): "float('inf')",
    (ReduceOp.MIN, "int32"): "2147483647",
}
_LOCALS = {"o", "live", "r0", "r", "ok", "val", "acc", "seen", "present", "triton", "tl",
           "BLOCK_M", "BLOCK_N", "_idiv", "_imod", "_tanh", "_f2i", "_wrap8", "_nanmax",
           "_nanmin"}  # fmt: skip


@dataclass(frozen=True)
class GenericKernels:
    text: str
    launch: LaunchPlan
    #: kernel → its arguments' (name, AOT signature type), in order
    signatures: Mapping[str, tuple[tuple[str, str], ...]]


class _TritonGenericWriter:
    def __init__(self, program: Program, cfg: Mapping[str, Any]):
        self.program, self.cfg = program, cfg
        self.info = validate(program)
        self.names = Namer()
        self.names.used |= _LOCALS
        self.live = live_statements(program)
        extents = {r: 1 for r in self.info.ranks}  # every compiled extent is > 0
        self.pres = presence(program, extents, self.info)
        read = {a.tensor for s in self.live for e in (s.where, s.value) if e is not None
                for a in _accesses(e)}  # fmt: skip
        self.flagged = {t for t in read if self.pres[t].masked}
        self.ptr: dict[str, str] = {}
        self.extent_arg = {r: self.names.fresh(f"n_{r}") for r in self.info.ranks}
        self.scalar_arg = {n: self.names.fresh(n) for n in self.info.scalars}
        refs: dict[str, TensorRef] = {}
        for name, t in self.info.tensors.items():
            ranks = tuple(t.ranks)
            dims = tuple(self.extent_arg[r] for r in ranks)
            held = t.dtype if t.is_input else _HELD[t.dtype]
            refs[name] = TensorRef(self.names.fresh(name), held, dims, ranks)
            if name in self.flagged:
                refs[f"{name}$ok"] = TensorRef(self.names.fresh(f"{name}_ok"), DType.BOOL, dims,
                                               ranks)  # fmt: skip
        self.refs = refs

    def scalars(self) -> dict[str, Typed]:
        out = {}
        for n, dtype in self.info.scalars.items():
            arg = self.scalar_arg[n]
            out[n] = Typed(f"({arg} != 0)" if dtype is DType.BOOL else arg, COMPUTE[dtype])
        return out

    def generate(self) -> GenericKernels:
        lines = [f"# Generated by attncc: the generic Triton kernels of program "
                 f"{self.program.name}, one per statement (attncc.targets.cuda.generic).",
                 "import triton", "import triton.language as tl", HELPERS.rstrip()]  # fmt: skip
        launches, sigs, buffers = [], {}, []
        for s in self.live:
            text, launch, sig = self.statement(s)
            lines += ["", "", text]
            launches.append(launch)
            sigs[launch.kernel] = sig
        outputs = {}
        for s in self.live:
            t = self.info.tensors[s.out]
            held = _HELD[t.dtype]
            out = s.out if s.out in self.program.outputs else None
            buffers.append(BufferSpec(s.out, tuple(s.ranks), _BUFFER[held], out))
            if s.out in self.flagged:
                buffers.append(BufferSpec(f"{s.out}$ok", tuple(s.ranks), "i8"))
            if out:
                outputs[s.out] = (s.out, _RETURNED[t.dtype])
        plan = LaunchPlan(tuple(launches), tuple(buffers), outputs)
        return GenericKernels("\n".join(lines) + "\n", plan, sigs)

    def statement(self, s: Stmt) -> tuple[str, Launch, tuple[tuple[str, str], ...]]:
        name = self.names.fresh(f"stmt_{s.out}")
        reads: list[Access] = []
        reduce = s.reduce is not None and bool(s.over)
        ranks = {r: f"i_{r}" for r in s.space}
        pr = TritonPrinter(
            ranks=ranks,
            scalars=self.scalars(),
            tensors=self.refs,
            on_read=lambda a: reads.append(a),
        )
        where = pr.cond(s.where).text if s.where is not None else None
        value = pr.expr(s.value)
        checks = []
        for a in dict.fromkeys(reads):
            if a.tensor in self.flagged:
                checks.append(pr.load(Access(f"{a.tensor}$ok", a.indices)).text)
        dtype = self.info.tensors[s.out].dtype
        acc_t = COMPUTE[dtype]
        if reduce and acc_t not in ("float32", "int32"):
            raise LoweringError(f"{s.out}: cannot reduce {acc_t} values")
        used_tensors = list(dict.fromkeys([a.tensor for a in reads] + [
            f"{a.tensor}$ok" for a in reads if a.tensor in self.flagged]))  # fmt: skip
        w: list[str] = []
        out_ptr = self.refs[s.out].pointer
        ok_ptr = self.refs[f"{s.out}$ok"].pointer if s.out in self.flagged else None
        n_out = " * ".join(self.extent_arg[r] for r in s.ranks) or "1"
        w.append(f'    """{_doc(s)}"""')
        w.append("    o = tl.program_id(0) * BLOCK_M + tl.arange(0, BLOCK_M)")
        w.append(f"    live = o < {n_out}")
        w += self._unflatten("o", s.ranks, "[:, None]" if reduce else "")
        conds = [c for c in (where, *checks) if c]
        if not reduce:
            ok = " & ".join(["live", *conds])
            v = convert(value, dtype) if s.reduce is None else value
            w.append(f"    ok = {ok}")
            w.append(f"    val = {v.text}")
            stored = self._stored(v, "tl.where(ok, val, 0)")
            w.append(f"    tl.store({out_ptr} + o, {stored}, mask=live)")
            if ok_ptr:
                w.append(f"    tl.store({ok_ptr} + o, ok.to(tl.int8), mask=live)")
        else:
            n_red = " * ".join(self.extent_arg[r] for r in s.over)
            ident = _IDENTITY[s.reduce, acc_t]
            tl_t = "tl.float32" if acc_t == "float32" else "tl.int32"
            w.append(f"    acc = tl.full([BLOCK_M], {ident}, {tl_t})")
            w.append("    seen = tl.zeros([BLOCK_M], tl.int32)")
            w.append(f"    for r0 in range(0, {n_red}, BLOCK_N):")
            w.append("        r = r0 + tl.arange(0, BLOCK_N)")
            w += ["    " + x for x in self._unflatten("r", s.over, "[None, :]")]
            ok = " & ".join([f"(r[None, :] < {n_red})", "live[:, None]", *conds])
            v = value if value.dtype == acc_t else convert(value, _ACC_DTYPE[acc_t])
            w.append(f"        ok = {ok}")
            w.append(f"        val = {v.text}")
            if s.reduce is ReduceOp.SUM:
                w.append(f"        acc = acc + tl.sum(tl.where(ok, val, {ident}), 1)")
            else:
                fn = "maximum" if s.reduce is ReduceOp.MAX else "minimum"
                part = f"tl.where(ok, val, {ident})"
                if acc_t == "float32":  # a NaN survives the reduction, as in the reference
                    fn = f"_nan{s.reduce.value}"
                    w.append(f"        acc = {fn}(acc, tl.reduce({part}, 1, {fn}))")
                else:
                    w.append(f"        acc = tl.{fn}(acc, tl.{s.reduce.value}({part}, 1))")
            w.append("        seen = seen + tl.sum(ok.to(tl.int32), 1)")
            w.append("    present = seen > 0")
            v = convert(Typed("acc", acc_t), dtype)
            stored = self._stored(v, f"tl.where(present, {v.text}, 0)")
            w.append(f"    tl.store({out_ptr} + o, {stored}, mask=live)")
            if ok_ptr:
                w.append(f"    tl.store({ok_ptr} + o, present.to(tl.int8), mask=live)")
        # arguments
        ranks_used = set(s.space)
        for t in used_tensors:
            ranks_used |= set(self.refs[t].ranks)
        ranks_used |= set(self.refs[s.out].ranks)
        ext = [r for r in self.info.ranks if r in ranks_used]
        scal = [n for n in self.info.scalars if _mentions(self.scalar_arg[n], w)]
        args, sig = [], []
        for t in used_tensors:
            args.append(ArgSpec("tensor", t))
            sig.append((self.refs[t].pointer, POINTER[self.refs[t].dtype]))
        args.append(ArgSpec("tensor", s.out))
        sig.append((out_ptr, POINTER[self.refs[s.out].dtype]))
        if ok_ptr:
            args.append(ArgSpec("tensor", f"{s.out}$ok"))
            sig.append((ok_ptr, "*i8"))
        for n in scal:
            args.append(ArgSpec("scalar", n))
            sig.append((self.scalar_arg[n], "fp32" if self.info.scalars[n].is_float else "i32"))
        for r in ext:
            args.append(ArgSpec("extent", r))
            sig.append((self.extent_arg[r], "i32"))
        ints = [a for a, t in sig if t == "i32"]
        head = [f"@triton.jit(do_not_specialize={ints!r})" if ints else "@triton.jit"]
        consts = "BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr"
        head.append(f"def {name}({', '.join(a for a, _ in sig)}, {consts}):")
        bm, bn = int(self.cfg["BLOCK_M"]), int(self.cfg["BLOCK_N"])
        launch = Launch(
            name,
            tuple(args),
            (GridDim(tuple(s.ranks), bm),),
            {"BLOCK_M": bm, "BLOCK_N": bn},
            int(self.cfg["num_warps"]),
            int(self.cfg["num_stages"]),
        )
        return "\n".join(head + w), launch, tuple(sig)

    def _unflatten(self, flat: str, ranks: tuple[str, ...], shape: str) -> list[str]:
        """``i_r = (flat // (extents after r)) % extent(r)``, C order, last rank fastest."""
        out, after = [], []
        for r in reversed(ranks):
            div = f" // ({' * '.join(after)})" if after else ""
            mod = f" % {self.extent_arg[r]}" if r != ranks[0] or div == "" else ""
            expr = f"({flat}{div}){mod}" if div else f"{flat}{mod}"
            out.append(f"    i_{r} = ({expr}){shape}")
            after.insert(0, self.extent_arg[r])
        return list(reversed(out))

    @staticmethod
    def _stored(v: Typed, text: str) -> str:
        return f"{text}.to(tl.int8)" if v.dtype == "bool" else text


_ACC_DTYPE = {"float32": DType.F32, "int32": DType.I32}


def _accesses(e):
    return accesses_in(e)


def _mentions(name: str, lines: list[str]) -> bool:
    pattern = re.compile(rf"(?<![\w.]){re.escape(name)}(?!\w)")
    return any(pattern.search(x) for x in lines)


def _doc(s: Stmt) -> str:
    return format_stmt(s).replace("\\", "\\\\").replace('"""', "'''")


def generate_generic(program: Program, config: Mapping[str, Any]) -> GenericKernels:
    """One Triton kernel per live statement of ``program`` (``BLOCK_M`` output elements per
    program, ``BLOCK_N`` reduced points per step, ``num_warps``, ``num_stages``)."""
    return _TritonGenericWriter(program, config).generate()
