"""Program → canonical text. ``attncc.parse(format_program(p)) == p`` for every program.

The printer adds parentheses only where precedence needs them, so the text reads like what a
person would write; the parser's precedence table (lowest first: ``or``, ``and``, ``not``,
comparisons, ``+ -``, ``* / %``, unary ``-``) is the same one.
"""

from __future__ import annotations

from attncc.ir.nodes import Access
from attncc.ir.nodes import Binary
from attncc.ir.nodes import BinaryOp
from attncc.ir.nodes import Call
from attncc.ir.nodes import Const
from attncc.ir.nodes import DType
from attncc.ir.nodes import Expr
from attncc.ir.nodes import Input
from attncc.ir.nodes import Let
from attncc.ir.nodes import Name
from attncc.ir.nodes import Param
from attncc.ir.nodes import Program
from attncc.ir.nodes import RankDecl
from attncc.ir.nodes import Scalar
from attncc.ir.nodes import Stmt
from attncc.ir.nodes import Unary
from attncc.ir.nodes import UnaryOp

PREC_OR, PREC_AND, PREC_NOT, PREC_CMP, PREC_ADD, PREC_MUL, PREC_NEG, PREC_ATOM = range(1, 9)

BINARY_PREC = {
    BinaryOp.OR: PREC_OR,
    BinaryOp.AND: PREC_AND,
    BinaryOp.LT: PREC_CMP,
    BinaryOp.LE: PREC_CMP,
    BinaryOp.GT: PREC_CMP,
    BinaryOp.GE: PREC_CMP,
    BinaryOp.EQ: PREC_CMP,
    BinaryOp.NE: PREC_CMP,
    BinaryOp.ADD: PREC_ADD,
    BinaryOp.SUB: PREC_ADD,
    BinaryOp.MUL: PREC_MUL,
    BinaryOp.DIV: PREC_MUL,
    BinaryOp.MOD: PREC_MUL,
}


def format_scalar(value: Scalar) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if value != value:
        raise ValueError("NaN has no literal in attncc programs")
    return repr(float(value))  # 'inf', '-inf', '0.5', '1e-05': all round-trip


def _precedence(expr: Expr) -> int:
    if isinstance(expr, Binary):
        return BINARY_PREC[expr.op]
    if isinstance(expr, Unary):
        return PREC_NEG if expr.op is UnaryOp.NEG else PREC_NOT
    if isinstance(expr, Const) and not isinstance(expr.value, bool) and expr.value < 0:
        return PREC_NEG
    return PREC_ATOM


def _wrap(expr: Expr, needs_parens: bool) -> str:
    text = format_expr(expr)
    return f"({text})" if needs_parens else text


def format_expr(expr: Expr) -> str:
    if isinstance(expr, Const):
        return format_scalar(expr.value)
    if isinstance(expr, Name):
        return expr.name
    if isinstance(expr, Access):
        return f"{expr.tensor}[{', '.join(format_expr(i) for i in expr.indices)}]"
    if isinstance(expr, Call):
        return f"{expr.fn.value}({', '.join(format_expr(a) for a in expr.args)})"
    if isinstance(expr, Unary):
        prec = _precedence(expr)
        inner = _wrap(expr.operand, _precedence(expr.operand) < prec)
        return f"-{inner}" if expr.op is UnaryOp.NEG else f"not {inner}"
    if isinstance(expr, Binary):
        prec = BINARY_PREC[expr.op]
        # Left-associative; comparisons do not chain, so both of their sides need parens.
        lhs_parens = _precedence(expr.lhs) < prec or (
            prec == PREC_CMP and _precedence(expr.lhs) == prec
        )
        rhs_parens = _precedence(expr.rhs) <= prec
        return f"{_wrap(expr.lhs, lhs_parens)} {expr.op.value} {_wrap(expr.rhs, rhs_parens)}"
    raise TypeError(f"not an attncc expression: {expr!r}")


def _format_dtype(dtype: DType | None) -> str:
    return "" if dtype is None else f" : {dtype.value}"


def format_decl(decl: Input | Param | Let | RankDecl) -> str:
    if isinstance(decl, Input):
        return f"input {decl.name}[{', '.join(decl.ranks)}] : {decl.dtype.value}"
    if isinstance(decl, Param):
        default = "" if decl.default is None else f" = {format_scalar(decl.default)}"
        return f"param {decl.name} : {decl.dtype.value}{default}"
    if isinstance(decl, Let):
        return f"let {decl.name} = {format_expr(decl.value)}"
    if isinstance(decl, RankDecl):
        return f"rank {decl.name} = {format_expr(decl.extent)}"
    raise TypeError(f"not an attncc declaration: {decl!r}")


def format_stmt(stmt: Stmt) -> str:
    head = f"{stmt.out}[{', '.join(stmt.ranks)}]{_format_dtype(stmt.dtype)} ="
    if stmt.reduce is not None:
        head += f" {stmt.reduce.value}({', '.join(stmt.over)})"
    value = format_expr(stmt.value)
    # `max(a, b) -x` would read as a call minus x: a reduced value never starts with '-'.
    needs_parens = stmt.reduce is not None and value.startswith("-")
    text = f"{head} ({value})" if needs_parens else f"{head} {value}"
    if stmt.where is not None:
        text += f" where {format_expr(stmt.where)}"
    return text


def format_program(program: Program, *, doc: bool = True) -> str:
    lines = []
    if doc and program.doc:
        lines += [f"# {line}".rstrip() for line in program.doc.splitlines()]
    lines.append(f"program {program.name}")
    lines += [format_decl(d) for d in program.decls]
    lines.append("")
    lines += [format_stmt(s) for s in program.stmts]
    lines.append(f"output {', '.join(program.outputs)}")
    return "\n".join(lines) + "\n"
