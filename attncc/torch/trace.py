"""FlexAttention mods traced into the IR.

``score_mod(score, b, h, q_idx, kv_idx)`` and ``mask_mod(b, h, q_idx, kv_idx)`` are called
once with symbolic arguments (:class:`Sym`): Python operators build IR expressions, and a
``TorchFunctionMode`` catches the torch calls a mod makes (``torch.where``, ``torch.tanh``,
indexing a captured tensor with a symbolic index). Captured tensors become program inputs;
numbers captured by the mod's closure (or read from its globals) become params, so another
value needs no new build. A mod that branches on a symbolic value (``if q_idx > kv_idx``),
calls ``.item()`` or writes in place gets an :class:`~attncc.errors.UnsupportedError`
naming the construct and the line of the user's function.
"""

from __future__ import annotations

import inspect
import types
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from typing import Any

import torch
from torch.overrides import TorchFunctionMode

from attncc.errors import UnsupportedError
from attncc.ir.builder import ProgramBuilder
from attncc.ir.exprs import map_expr
from attncc.ir.nodes import Access
from attncc.ir.nodes import Binary
from attncc.ir.nodes import BinaryOp
from attncc.ir.nodes import Call
from attncc.ir.nodes import Const
from attncc.ir.nodes import DType
from attncc.ir.nodes import Expr
from attncc.ir.nodes import Fn
from attncc.ir.nodes import Name
from attncc.ir.nodes import Program
from attncc.ir.nodes import Unary
from attncc.ir.nodes import UnaryOp

__all__ = ["Sym", "trace", "trace_mods"]

_FLOAT_FNS = {
    "tanh": Fn.TANH, "exp": Fn.EXP, "exp2": Fn.EXP2, "log": Fn.LOG, "log2": Fn.LOG2,
    "sigmoid": Fn.SIGMOID, "sqrt": Fn.SQRT, "rsqrt": Fn.RSQRT,
}  # fmt: skip
_KEEP_FNS = {"abs": Fn.ABS, "floor": Fn.FLOOR, "ceil": Fn.CEIL}
_DTYPES = {
    torch.float32: DType.F32, torch.int32: DType.I32, torch.int64: DType.I32,
    torch.bool: DType.BOOL, torch.int8: DType.I8,
}  # fmt: skip


@dataclass
class _Trace:
    """What one trace collects: captured tensors (inputs) and numbers (params)."""

    codes: set = field(default_factory=set)  # the user's functions' code: for error lines
    tensors: dict[int, tuple[str, torch.Tensor]] = field(default_factory=dict)
    mode: Any = None  # the _Mode catching torch calls while the user's mod runs
    params: dict[str, tuple[DType, float | int]] = field(default_factory=dict)
    wrapped: dict[int, Callable] = field(default_factory=dict)  # user functions, rebuilt
    names: dict[int, str] = field(default_factory=dict)  # captured tensors' variable names
    origins: dict[tuple, str] = field(default_factory=dict)  # (variable, dtype, value): param

    def unsupported(self, what: str) -> UnsupportedError:
        return UnsupportedError(f"{what}{_user_line(self.codes)}")

    def taken(self) -> set[str]:
        return {n for n, _ in self.tensors.values()} | set(self.params) | RESERVED

    def tensor(self, t: torch.Tensor) -> str:
        if id(t) not in self.tensors:
            if t.dtype not in _DTYPES:
                raise self.unsupported(f"a captured tensor of dtype {t.dtype}")
            hint = self.names.get(id(t)) or f"T{len(self.tensors)}"
            self.tensors[id(t)] = (_fresh(hint.upper(), self.taken()), t)
        return self.tensors[id(t)][0]

    def divisor(self, x: Sym) -> Expr:
        """A captured number divides as a constant, not as a param: a division by a constant
        is a multiply and shift, by a runtime value a division per lane, whose vectorised
        code took LLVM minutes to compile (a block-diffusion mask: 88 s against 5 s)."""
        if isinstance(x.expr, Name) and x.expr.name in self.params:
            return Const(self.params[x.expr.name][1])
        return x.expr

    def param(self, var: str, value: int | float) -> Sym:
        """The param standing for captured number ``value`` (variable ``var``)."""
        dtype = DType.I32 if isinstance(value, int) else DType.F32
        name = self.origins.get((var, dtype, value))
        if name is None:
            name = self.origins[var, dtype, value] = _fresh(var, self.taken())
            self.params[name] = (dtype, value)
        return Sym(Name(name), "int" if dtype is DType.I32 else "float", self)


#: Names the traced program gives its own tensors, ranks and lets: captured values get others.
RESERVED = frozenset({"Q", "K", "V", "S", "X", "MX", "E", "L", "O", "LSE", "G", "scale"}) | set(
    "bhgpmef"
)


def _fresh(name: str, taken: set[str]) -> str:
    if name not in taken:
        return name
    return next(f"{name}_{i}" for i in range(1, len(taken) + 2) if f"{name}_{i}" not in taken)


def _user_line(codes: set) -> str:
    """`` at file:line: source`` of the innermost frame running one of the user's functions."""
    for frame in inspect.stack()[2:]:
        if frame.frame.f_code in codes:
            text = (frame.code_context or [""])[0].strip()
            return f" at {frame.filename}:{frame.lineno}: {text}"
    return ""


class Sym:
    """A traced value: an IR expression and its kind (``int``, ``float`` or ``bool``)."""

    __slots__ = ("expr", "kind", "trace")

    def __init__(self, expr: Expr, kind: str, trace: _Trace):
        self.expr, self.kind, self.trace = expr, kind, trace

    # -- lifting -------------------------------------------------------------------------
    def _lift(self, x: Any) -> Sym:
        if isinstance(x, Sym):
            return x
        if isinstance(x, bool):
            return Sym(Const(x), "bool", self.trace)
        if isinstance(x, int):
            return Sym(Const(x), "int", self.trace)
        if isinstance(x, float):
            return Sym(Const(x), "float", self.trace)
        if isinstance(x, torch.Tensor) and x.dim() == 0:
            return self._lift(x.item())
        raise self.trace.unsupported(f"an operand of type {type(x).__name__}")

    def _op(self, op: BinaryOp, other: Any, kind: str | None = None, swap: bool = False) -> Sym:
        a, b = self, self._lift(other)
        if swap:
            a, b = b, a
        if kind is None:
            kind = "float" if "float" in (a.kind, b.kind) else "int"
        return Sym(Binary(op, a.expr, b.expr), kind, self.trace)

    def __add__(self, o):
        return self._op(BinaryOp.ADD, o)

    def __radd__(self, o):
        return self._op(BinaryOp.ADD, o, swap=True)

    def __sub__(self, o):
        return self._op(BinaryOp.SUB, o)

    def __rsub__(self, o):
        return self._op(BinaryOp.SUB, o, swap=True)

    def __mul__(self, o):
        return self._op(BinaryOp.MUL, o)

    def __rmul__(self, o):
        return self._op(BinaryOp.MUL, o, swap=True)

    def __truediv__(self, o, swap=False):
        a, b = (self._lift(o), self) if swap else (self, self._lift(o))
        fa, fb = (_as_float(x) for x in (a, b))
        return Sym(Binary(BinaryOp.DIV, fa, fb), "float", self.trace)

    def __rtruediv__(self, o):
        return self.__truediv__(o, swap=True)

    def __floordiv__(self, o, swap=False):
        a, b = (self._lift(o), self) if swap else (self, self._lift(o))
        if "float" in (a.kind, b.kind):
            raise self.trace.unsupported("`//` of floats")
        return Sym(Binary(BinaryOp.DIV, a.expr, self.trace.divisor(b)), "int", self.trace)

    def __rfloordiv__(self, o):
        return self.__floordiv__(o, swap=True)

    def __mod__(self, o, swap=False):
        a, b = (self._lift(o), self) if swap else (self, self._lift(o))
        if "float" in (a.kind, b.kind):
            raise self.trace.unsupported("`%` of floats")
        return Sym(Binary(BinaryOp.MOD, a.expr, self.trace.divisor(b)), "int", self.trace)

    def __rmod__(self, o):
        return self.__mod__(o, swap=True)

    def __lt__(self, o):
        return self._op(BinaryOp.LT, o, "bool")

    def __le__(self, o):
        return self._op(BinaryOp.LE, o, "bool")

    def __gt__(self, o):
        return self._op(BinaryOp.GT, o, "bool")

    def __ge__(self, o):
        return self._op(BinaryOp.GE, o, "bool")

    def __eq__(self, o):
        return self._op(BinaryOp.EQ, o, "bool")  # type: ignore[override]

    def __ne__(self, o):
        return self._op(BinaryOp.NE, o, "bool")  # type: ignore[override]

    def _logic(self, op: BinaryOp, other: Any, swap: bool = False) -> Sym:
        """``&`` / ``|``, folding the constants ``and_masks`` / ``or_masks`` start from."""
        a, b = self, self._lift(other)
        for x, y in ((a, b), (b, a)):
            if isinstance(x.expr, Const) and isinstance(x.expr.value, bool):
                neutral = x.expr.value is (op is BinaryOp.AND)
                return y if neutral else x
        return self._op(op, other, "bool", swap)

    def __and__(self, o):
        return self._logic(BinaryOp.AND, o)

    def __rand__(self, o):
        return self._logic(BinaryOp.AND, o, swap=True)

    def __or__(self, o):
        return self._logic(BinaryOp.OR, o)

    def __ror__(self, o):
        return self._logic(BinaryOp.OR, o, swap=True)

    __hash__ = object.__hash__

    def __invert__(self):
        if self.kind != "bool":
            raise self.trace.unsupported("`~` of a number")
        return Sym(Unary(UnaryOp.NOT, self.expr), "bool", self.trace)

    def __neg__(self):
        return Sym(Unary(UnaryOp.NEG, self.expr), self.kind, self.trace)

    def __abs__(self):
        return Sym(Call(Fn.ABS, (self.expr,)), self.kind, self.trace)

    def __bool__(self):
        raise self.trace.unsupported(
            "Python control flow on a traced value (`if`, `and`, `or`, `not`): use "
            "`torch.where`, `&`, `|`, `~`"
        )

    @classmethod
    def __torch_function__(cls, func, types_, args=(), kwargs=None):
        """torch calls with a traced argument (``torch.tanh(score)``) go to the trace's mode."""
        flat = [*args, *(kwargs or {}).values()]
        sym = next(x for x in flat if isinstance(x, Sym))
        return sym.trace.mode.__torch_function__(func, types_, args, kwargs)

    def __index__(self):
        raise self.trace.unsupported("a traced value used as a Python integer")

    def item(self):
        raise self.trace.unsupported("`.item()` of a traced value")

    @property
    def device(self) -> None:  # ``b.new_ones((), device=b.device)`` (noop_mask)
        return None

    @property
    def dtype(self) -> torch.dtype:
        return {"int": torch.int32, "float": torch.float32, "bool": torch.bool}[self.kind]

    def new_ones(self, *_size: Any, dtype: Any = None, **_kw: Any) -> Sym:
        return self._constant(1, dtype)

    def new_zeros(self, *_size: Any, dtype: Any = None, **_kw: Any) -> Sym:
        return self._constant(0, dtype)

    def _constant(self, value: int, dtype: Any) -> Sym:
        if dtype == torch.bool:
            return self._lift(bool(value))
        if dtype is not None and dtype.is_floating_point:
            return self._lift(float(value))
        return self._lift(value)

    def to(self, dtype: Any = None, *_a: Any, **_kw: Any) -> Sym:
        if not isinstance(dtype, torch.dtype):
            return self
        if dtype == torch.bool:
            return self.bool()
        if dtype.is_floating_point:
            return self.float()
        return self.int()

    def float(self) -> Sym:
        return Sym(_as_float(self), "float", self.trace)

    def int(self) -> Sym:
        if self.kind == "int":
            return self
        return Sym(Call(Fn.I32, (self.expr,)), "int", self.trace)

    long = int

    def bool(self) -> Sym:
        return self if self.kind == "bool" else self != 0

    def __getattr__(self, name: str):
        fn = {**_FLOAT_FNS, **_KEEP_FNS}.get(name)
        if fn is None:
            raise self.trace.unsupported(f"the tensor method `.{name}`")
        return lambda: _apply(name, self)


def _as_float(x: Sym) -> Expr:
    return x.expr if x.kind == "float" else Call(Fn.F32, (x.expr,))


def _apply(name: str, x: Sym) -> Sym:
    if name in _FLOAT_FNS:
        return Sym(Call(_FLOAT_FNS[name], (_as_float(x),)), "float", x.trace)
    return Sym(Call(_KEEP_FNS[name], (x.expr,)), x.kind, x.trace)


class _Mode(TorchFunctionMode):
    """Torch calls with a traced argument become IR; the others run as they are."""

    def __init__(self, trace: _Trace):
        super().__init__()
        self.trace = trace

    def __torch_function__(self, func, types_, args=(), kwargs=None):
        kwargs = kwargs or {}
        flat = [*args, *kwargs.values()]
        flat += [y for x in flat if isinstance(x, tuple | list) for y in x]
        if not any(isinstance(x, Sym) for x in flat):
            return func(*args, **kwargs)
        name = getattr(func, "__name__", str(func))
        if name == "__getitem__" and isinstance(args[0], torch.Tensor):
            return self._index(args[0], args[1])
        if name == "where" and len(args) == 3 and not kwargs:
            c, a, b = args
            lift = next(x for x in flat if isinstance(x, Sym))._lift
            a, b = lift(a), lift(b)
            kind = "float" if "float" in (a.kind, b.kind) else a.kind
            ea, eb = (_as_float(x) if kind == "float" else x.expr for x in (a, b))
            return Sym(Call(Fn.SELECT, (lift(c).expr, ea, eb)), kind, self.trace)
        if name in ("maximum", "minimum", "max", "min") and len(args) == 2 and not kwargs:
            lift = next(x for x in flat if isinstance(x, Sym))._lift
            a, b = lift(args[0]), lift(args[1])
            kind = "float" if "float" in (a.kind, b.kind) else a.kind
            fn = Fn.MAX if name in ("maximum", "max") else Fn.MIN
            return Sym(Call(fn, (a.expr, b.expr)), kind, self.trace)
        if name in _FLOAT_FNS or name in _KEEP_FNS:
            return _apply(name, args[0])
        if name in ("logical_and", "logical_or", "logical_not", "bitwise_not"):
            a = args[0]
            if name in ("logical_not", "bitwise_not"):
                return ~a
            return a & args[1] if name == "logical_and" else a | args[1]
        if name in ("add_", "sub_", "mul_", "div_", "__setitem__", "copy_"):
            raise self.trace.unsupported(f"an in-place write (`{name}`)")
        raise self.trace.unsupported(f"`{name}` on a traced value")

    def _index(self, t: torch.Tensor, index: Any) -> Sym:
        index = index if isinstance(index, tuple) else (index,)
        if len(index) != t.dim():
            raise self.trace.unsupported(
                f"indexing a captured tensor of rank {t.dim()} with {len(index)} indices"
            )
        lift = next(x for x in index if isinstance(x, Sym))._lift
        parts = []
        for i in index:
            s = lift(i)
            if s.kind != "int":
                raise self.trace.unsupported("a tensor index that is not an integer")
            parts.append(s.expr)
        name = self.trace.tensor(t)
        kind = "float" if t.dtype.is_floating_point else "bool" if t.dtype == torch.bool else "int"
        return Sym(Access(name, tuple(parts)), kind, self.trace)


def _is_user_function(value: Any) -> bool:
    """A function whose captures the trace looks into: the user's, and the closures torch's
    ``and_masks`` / ``or_masks`` make of them."""
    module = getattr(value, "__module__", None) or ""
    library = (
        module.startswith(("torch", "attncc")) and module != "torch.nn.attention.flex_attention"
    )
    return isinstance(value, types.FunctionType) and not library


def _captured(value: Any, var: str, trace: _Trace) -> Any:
    """What a mod sees in place of ``value``, captured as ``var``: numbers become params,
    user functions (composed mods, ``and_masks``'s list) are rebuilt the same way, tensors
    are remembered by their variable's name (the input's name)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return trace.param(var, value)
    if isinstance(value, torch.Tensor):
        trace.names.setdefault(id(value), var)
    if _is_user_function(value):
        return _rebuilt(value, trace)
    if isinstance(value, tuple | list) and any(_is_user_function(v) for v in value):
        return type(value)(_captured(v, var, trace) for v in value)
    return value


def _rebuilt(fn: Callable, trace: _Trace) -> Callable:
    """``fn`` reading what :func:`_captured` makes of the values it captures (closure cells,
    the globals it names)."""
    if not _is_user_function(fn):
        return fn
    if id(fn) in trace.wrapped:
        return trace.wrapped[id(fn)]
    code = fn.__code__
    trace.codes.add(code)
    cells = [
        types.CellType(_captured(cell.cell_contents, var, trace))
        for var, cell in zip(code.co_freevars, fn.__closure__ or (), strict=True)
    ]
    glob = dict(fn.__globals__)
    for var in code.co_names:
        if var in glob:
            glob[var] = _captured(glob[var], var, trace)
    defaults = fn.__defaults__
    if defaults:  # ``def mod(score, b, h, q_idx, kv_idx, cap=cap)``: captured by a default
        names = code.co_varnames[code.co_argcount - len(defaults) : code.co_argcount]
        defaults = tuple(_captured(v, n, trace) for n, v in zip(names, defaults, strict=True))
    new = types.FunctionType(code, glob, fn.__name__, defaults, tuple(cells))
    if fn.__kwdefaults__:
        new.__kwdefaults__ = {n: _captured(v, n, trace) for n, v in fn.__kwdefaults__.items()}
    trace.wrapped[id(fn)] = new
    return new


def _call(fn: Callable, trace: _Trace, args: tuple) -> Sym:
    traced = _rebuilt(fn, trace)
    trace.codes.add(getattr(fn, "__code__", None))
    trace.mode = _Mode(trace)
    with trace.mode:
        out = traced(*args)
    if not isinstance(out, Sym):
        out = next(a for a in args if isinstance(a, Sym))._lift(out)
    return out


def _names(expr: Expr) -> set[str]:
    found: set[str] = set()

    def visit(e: Expr) -> None:
        if isinstance(e, Name):
            found.add(e.name)

    map_expr(expr, visit)
    return found


def trace(
    score_mod: Callable | None = None,
    mask_mod: Callable | None = None,
    *,
    name: str = "flex",
    enable_gqa: bool = False,
    scale: float | None = None,
) -> Program:
    """The attncc program computing ``flex_attention(q, k, v, score_mod, mask_mod)`` (its
    text prints, saves, tunes and exports like any other); the tensors the mods capture are
    inputs of it named after their variables (:func:`trace_mods` returns them too)."""
    return trace_mods(score_mod, mask_mod, name=name, enable_gqa=enable_gqa, scale=scale)[0]


def trace_mods(
    score_mod: Callable | None = None,
    mask_mod: Callable | None = None,
    *,
    name: str = "flex",
    enable_gqa: bool = False,
    scale: float | None = None,
) -> tuple[Program, dict[str, torch.Tensor]]:
    """:func:`trace`, and the captured tensors the program reads (its extra inputs)."""
    t = _Trace()
    pb = ProgramBuilder(name, "Traced from FlexAttention mods.")
    Q = pb.input("Q", "b h p e")
    K = pb.input("K", "b g m e" if enable_gqa else "b h m e")
    V = pb.input("V", "b g m f" if enable_gqa else "b h m f")
    b, h, p, m, e = (Name(r) for r in "bhpme")
    kv: Expr = h
    if enable_gqa:
        kv = Binary(BinaryOp.DIV, h, pb.let("G", Binary(BinaryOp.DIV, h, Name("g"))))
    default = Binary(BinaryOp.DIV, Const(1.0), Call(Fn.SQRT, (e,)))
    # a given scale is a param: another value needs no new build
    sc = pb.let("scale", default) if scale is None else pb.param("scale", "f32", float(scale))
    s = pb.sum("S", "b h p m", Q[b, h, p, e] * K[b, kv, m, e] * sc, over=[e])
    idx = tuple(Sym(Name(r), "int", t) for r in "bhpm")
    score: Expr = s[b, h, p, m]
    if score_mod is not None:
        score = _call(score_mod, t, (Sym(score, "float", t), *idx)).expr
    where = None
    if mask_mod is not None:
        mask = _call(mask_mod, t, idx)
        where = None if mask.expr == Const(True) else mask.expr
    used = set().union(*(_names(x) for x in (score, where) if x is not None))
    for pname, (dtype, value) in t.params.items():
        if pname in used:  # (one read only as a divisor is a constant: _Trace.divisor)
            pb.param(pname, dtype, value)
    inputs = {}
    for tname, tensor in t.tensors.values():
        ranks = [f"{tname.lower()}_{i}" for i in range(tensor.dim())]
        pb.input(tname, ranks, _DTYPES[tensor.dtype])
        inputs[tname] = tensor
    x = pb.stmt("X", "b h p m", score, where=where)
    mx = pb.max("MX", "b h p", x[b, h, p, m], over=[m])
    logit = Binary(BinaryOp.SUB, x[b, h, p, m], mx[b, h, p])
    ex = pb.stmt("E", "b h p m", Call(Fn.EXP, (logit,)))
    l_ = pb.sum("L", "b h p", ex[b, h, p, m], over=[m])
    f = Name("f")
    o = pb.sum("O", "b h p f", ex[b, h, p, m] * V[b, kv, m, f] / l_[b, h, p], over=[m])
    pb.output(o)
    return pb.build(), inputs
