"""The einsum-cascade IR: nodes, text form, builder, checks, analysis and reference semantics."""

from attncc.ir.nodes import Access
from attncc.ir.nodes import Binary
from attncc.ir.nodes import BinaryOp
from attncc.ir.nodes import Call
from attncc.ir.nodes import Const
from attncc.ir.nodes import DType
from attncc.ir.nodes import Expr
from attncc.ir.nodes import Fn
from attncc.ir.nodes import Input
from attncc.ir.nodes import Let
from attncc.ir.nodes import Name
from attncc.ir.nodes import Param
from attncc.ir.nodes import Program
from attncc.ir.nodes import RankDecl
from attncc.ir.nodes import ReduceOp
from attncc.ir.nodes import Stmt
from attncc.ir.nodes import Unary
from attncc.ir.nodes import UnaryOp

__all__ = [
    "Access",
    "Binary",
    "BinaryOp",
    "Call",
    "Const",
    "DType",
    "Expr",
    "Fn",
    "Input",
    "Let",
    "Name",
    "Param",
    "Program",
    "RankDecl",
    "ReduceOp",
    "Stmt",
    "Unary",
    "UnaryOp",
]
