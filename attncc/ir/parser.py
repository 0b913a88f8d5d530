"""Program text → :class:`Program`, by recursive descent over the grammar of docs/language.md.

Every error is a :class:`ParseError` that says what was expected and what was found, with the
location of the offending token and the source, so that ``str(err)`` shows the line and a
caret. Nothing else escapes :func:`parse`, whatever the input: deep nesting is cut off with a
``ParseError`` long before Python's recursion limit.

Two decisions the grammar leaves to the parser:

* ``max`` / ``min`` right after a statement's ``=`` is a *reduction* when it is followed by a
  parenthesised list of plain names and then by the start of an expression
  (``max(m) T[p, m]``), and an elementwise *call* otherwise (``max(X[p], 0.0)``,
  ``max(a, b) + 1``). A ``-`` after the list is binary when the list has two names (a call
  would fit), unary otherwise; the printer therefore parenthesises a reduction's value that
  begins with ``-``: ``max(m, n) (-T[p, m, n])``.
* A ``-`` goes through :func:`attncc.ir.nodes.neg`, which folds numeric literals, so
  ``-1`` and ``-(1)`` both parse to ``Const(-1)``, exactly what the builder makes. A
  ``Unary(NEG, Const(1))`` built by hand therefore prints as ``-1`` and parses back as
  ``Const(-1)``: equal in value, not in structure.
"""

from __future__ import annotations

import difflib
from dataclasses import replace

from attncc.errors import Loc
from attncc.errors import ParseError
from attncc.ir.lexer import Kind
from attncc.ir.lexer import Token
from attncc.ir.lexer import tokenize
from attncc.ir.nodes import MAX_DEPTH
from attncc.ir.nodes import Access
from attncc.ir.nodes import Binary
from attncc.ir.nodes import BinaryOp
from attncc.ir.nodes import Call
from attncc.ir.nodes import Const
from attncc.ir.nodes import Decl
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
from attncc.ir.nodes import Scalar
from attncc.ir.nodes import Stmt
from attncc.ir.nodes import Unary
from attncc.ir.nodes import UnaryOp
from attncc.ir.nodes import depth
from attncc.ir.nodes import neg
from attncc.ir.printer import BINARY_PREC
from attncc.ir.printer import PREC_CMP
from attncc.ir.printer import PREC_NEG
from attncc.ir.printer import PREC_NOT
from attncc.ir.printer import PREC_OR

__all__ = ["MAX_DEPTH", "MAX_NESTING", "RESERVED", "parse"]

#: Deepest nesting of parentheses, brackets, calls and prefix operators the parser accepts.
MAX_NESTING = 100

_DECL_KEYWORDS = ("input", "param", "let", "rank")
_KEYWORDS = frozenset(
    {"program", *_DECL_KEYWORDS, "output", "where", "and", "or", "not", "true", "false", "inf"}
)
_FUNCTIONS = {fn.value: fn for fn in Fn}
_DTYPES = {dt.value: dt for dt in DType}
_REDUCTIONS = {op.value: op for op in ReduceOp}
#: Words that cannot name a program, tensor, rank, param or let.
RESERVED = frozenset(_KEYWORDS | _FUNCTIONS.keys() | _DTYPES.keys() | _REDUCTIONS.keys())

_BINARY_OPS = {op.value: op for op in BinaryOp}
_LITERALS: dict[str, Scalar] = {"true": True, "false": False, "inf": float("inf")}
_CLOSING = {"(": ")", "[": "]"}


def parse(text: str) -> Program:
    """Parse program text; raises :class:`ParseError` (only) for text outside the grammar.

    >>> p = parse("program copy\\ninput X[i]\\nY[i] = X[i]\\noutput Y\\n")
    >>> p.stmts[0].value
    Access(tensor='X', indices=(Name(name='i'),))
    """
    if not isinstance(text, str):
        raise ParseError(f"expected program text (a str), got {type(text).__name__}")
    return _Parser(text).program()


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _did_you_mean(word: str, choices: list[str] | tuple[str, ...]) -> str:
    match = difflib.get_close_matches(word, choices, n=1, cutoff=0.7)
    return f" (did you mean '{match[0]}'?)" if match else ""


class _Parser:
    """One-shot parser state: the token list, a cursor and the nesting depth."""

    def __init__(self, text: str):
        self.source = text
        self.tokens = tokenize(text)
        self.pos = 0
        self.depth = 0

    # --------------------------------------------------------------------- token cursor
    @property
    def tok(self) -> Token:
        return self.tokens[self.pos]

    def peek(self, ahead: int = 1) -> Token:
        return self.tokens[min(self.pos + ahead, len(self.tokens) - 1)]

    def advance(self) -> Token:
        tok = self.tokens[self.pos]
        if tok.kind is not Kind.EOF:
            self.pos += 1
        return tok

    @staticmethod
    def is_op(tok: Token, text: str) -> bool:
        return tok.kind is Kind.OP and tok.text == text

    @staticmethod
    def is_word(tok: Token, text: str) -> bool:
        return tok.kind is Kind.NAME and tok.text == text

    def skip_newlines(self) -> None:
        while self.tok.kind is Kind.NEWLINE:
            self.advance()

    # --------------------------------------------------------------------------- errors
    def error(self, message: str, loc: Loc | None) -> ParseError:
        return ParseError(message, loc=loc, source=self.source)

    def found(self) -> tuple[str, Loc]:
        """Name the current token; a token after a line break inside brackets is "end of line"."""
        tok = self.tok
        prev = self.tokens[self.pos - 1] if self.pos > 0 else None
        if tok.line_start and prev is not None and prev.kind is not Kind.NEWLINE:
            return "end of line", Loc(prev.loc.line, prev.loc.col + prev.loc.length, 1)
        return tok.describe(), tok.loc

    def expected(self, what: str, context: str = "", hint: str = "") -> ParseError:
        found, loc = self.found()
        return self.error(f"expected {what}{context}, found {found}{hint}", loc)

    def expect_op(self, text: str, context: str = "") -> Token:
        if not self.is_op(self.tok, text):
            raise self.expected(f"'{text}'", context)
        return self.advance()

    def enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise self.error(
                f"expression nested too deeply (more than {MAX_NESTING} levels of parentheses, "
                "brackets, calls or prefix operators); split it with 'let' or extra statements",
                self.tok.loc,
            )

    # ---------------------------------------------------------------------- small pieces
    def name(self, what: str) -> Token:
        """A user name: an identifier that is not a reserved word."""
        tok = self.tok
        if tok.kind is Kind.NAME and tok.text in RESERVED:
            raise self.error(
                f"'{tok.text}' is a reserved word and cannot be used as {what}", tok.loc
            )
        if tok.kind is not Kind.NAME:
            raise self.expected(what)
        return self.advance()

    def dtype(self) -> DType:
        tok = self.tok
        if tok.kind is Kind.NAME and tok.text in _DTYPES:
            self.advance()
            return _DTYPES[tok.text]
        hint = _did_you_mean(tok.text, list(_DTYPES)) if tok.kind is Kind.NAME else ""
        raise self.expected(f"a dtype ({', '.join(_DTYPES)})", hint=hint)

    def end_of_line(self, what: str) -> None:
        if self.tok.kind is Kind.NEWLINE:
            self.advance()
        elif self.tok.kind is not Kind.EOF:
            raise self.expected("end of line", f" after {what}")

    def name_list(self, open_tok: Token, what: str, plain: str) -> tuple[str, ...]:
        """``r1, r2, ...`` up to the bracket that closes ``open_tok`` (already consumed).

        ``what`` names the list in "to close ..." messages; ``plain`` is the error for an
        expression where a plain name must stand.
        """
        closer = _CLOSING[open_tok.text]
        context = f" to close {what} opened at {open_tok.loc}"
        names: list[str] = []
        if self.is_op(self.tok, closer):
            self.advance()
            return ()
        while True:
            start = self.tok
            if start.kind is Kind.NAME and start.text not in RESERVED:
                self.advance()
            elif self.starts_expr(start):
                raise self.error(f"{plain}; found an expression", start.loc)
            else:
                self.name("a rank name")  # raises: a reserved word, or what was found instead
            names.append(start.text)
            tok = self.tok
            if self.is_op(tok, ","):
                self.advance()
                continue
            if self.is_op(tok, closer):
                self.advance()
                return tuple(names)
            if not tok.line_start and (
                tok.text in _BINARY_OPS or self.is_op(tok, "[") or self.is_op(tok, "(")
            ):
                raise self.error(f"{plain}; found an expression", start.loc)
            raise self.expected(f"',' or '{closer}'", context)

    def starts_expr(self, tok: Token) -> bool:
        """Whether ``tok`` can begin an expression (decides reductions and error wording)."""
        if tok.kind is Kind.NUMBER or self.is_op(tok, "(") or self.is_op(tok, "-"):
            return True
        if tok.kind is not Kind.NAME:
            return False
        word = tok.text
        return word not in RESERVED or word in _LITERALS or word in _FUNCTIONS or word == "not"

    def bounded(self, e: Expr, start: Token) -> Expr:
        """``e``, unless its tree is deeper than :data:`MAX_DEPTH` (a long chain of binary
        operators nests without parentheses; every later pass walks the tree)."""
        levels = depth(e)
        if levels > MAX_DEPTH:
            raise self.error(
                f"expression too deep: {levels} levels of operators (at most {MAX_DEPTH}); "
                "split it into 'let' declarations or extra statements, e.g. sum half the "
                "terms into one tensor and the rest into another",
                start.loc,
            )
        return e

    # -------------------------------------------------------------------------- program
    def program(self) -> Program:
        self.skip_newlines()
        head = self.tok
        if not self.is_word(head, "program"):
            raise self.expected("'program NAME' as the first line")
        self.advance()
        name = self.name("a program name").text
        self.end_of_line("the program header")
        decls: list[Decl] = []
        stmts: list[Stmt] = []
        while True:
            self.skip_newlines()
            tok = self.tok
            if tok.kind is Kind.NAME and tok.text in _DECL_KEYWORDS:
                if stmts:
                    raise self.error(
                        f"declarations come before statements: '{tok.text}' follows the "
                        f"statement at {stmts[0].loc}; move it above the first statement",
                        tok.loc,
                    )
                decls.append(self.decl())
            elif self.is_word(tok, "output"):
                outputs = self.outputs()
                break
            elif self.is_word(tok, "program"):
                raise self.error("'program NAME' may appear only once, as the first line", tok.loc)
            elif tok.kind is Kind.NAME and (
                tok.text not in RESERVED or self.is_op(self.peek(), "[")
            ):
                stmts.append(self.statement())
            elif tok.kind is Kind.EOF:
                raise self.expected("'output NAME, ...' as the last line")
            else:
                raise self.expected(
                    "a declaration (input, param, let, rank), a statement "
                    "'NAME[r1, ...] = EXPR' or 'output NAME, ...'"
                )
        return Program(
            name,
            tuple(decls),
            tuple(stmts),
            outputs,
            doc=self.doc(head.loc.line),
            source=self.source,
            loc=head.loc,
        )

    def doc(self, header_line: int) -> str:
        """Comment lines above ``program``, without their ``#`` and one following space."""
        lines = []
        for line in self.source.splitlines()[: header_line - 1]:
            text = line.lstrip(" \t")
            if text.startswith("#"):
                text = text[1:]
                lines.append((text[1:] if text.startswith(" ") else text).rstrip())
        return "\n".join(lines)

    def outputs(self) -> tuple[str, ...]:
        self.advance()
        names: list[str] = []
        if self.tok.kind not in (Kind.NEWLINE, Kind.EOF):
            names.append(self.name("an output tensor name").text)
            while self.is_op(self.tok, ","):
                self.advance()
                names.append(self.name("an output tensor name after ','").text)
        self.skip_newlines()
        if self.tok.kind is not Kind.EOF:
            found, loc = self.found()
            raise self.error(f"'output' must be the last line; found {found} after it", loc)
        return tuple(names)

    # ----------------------------------------------------------------------- declarations
    def decl(self) -> Decl:
        keyword = self.advance()
        kind = keyword.text
        if kind == "input":
            name = self.name("an input name")
            if not self.is_op(self.tok, "["):
                raise self.expected(
                    f"'[' after the input name '{name.text}' (input NAME[r1, ...] : DTYPE; "
                    "a scalar argument is a 'param')"
                )
            open_tok = self.advance()
            ranks = self.name_list(
                open_tok,
                f"the ranks of input '{name.text}'",
                "an input's dimensions are plain rank names (input NAME[r1, r2, ...])",
            )
            dtype = DType.F32
            if self.is_op(self.tok, ":"):
                self.advance()
                dtype = self.dtype()
            self.end_of_line("the input declaration")
            return Input(name.text, ranks, dtype, loc=keyword.loc)
        if kind == "param":
            name = self.name("a param name")
            self.expect_op(":", f" and a dtype after the param name '{name.text}'")
            dtype = self.dtype()
            default = None
            if self.is_op(self.tok, "="):
                self.advance()
                default = self.literal()
            self.end_of_line("the param declaration")
            return Param(name.text, dtype, default, loc=keyword.loc)
        name = self.name(f"a {kind} name")
        self.expect_op("=", f" after the {kind} name '{name.text}'")
        start = self.tok
        value = self.bounded(self.expr(), start)
        self.end_of_line(f"the {kind} declaration")
        if kind == "let":
            return Let(name.text, value, loc=keyword.loc)
        return RankDecl(name.text, value, loc=keyword.loc)

    def literal(self) -> Scalar:
        """A param default: a number, ``inf``, ``true`` or ``false``, with an optional ``-``."""
        minus = self.advance() if self.is_op(self.tok, "-") else None
        tok = self.tok
        value: Scalar
        if tok.kind is Kind.NUMBER:
            assert tok.value is not None
            value = tok.value
        elif self.is_word(tok, "inf") or (
            minus is None and (self.is_word(tok, "true") or self.is_word(tok, "false"))
        ):
            value = _LITERALS[tok.text]
        elif minus is not None:
            raise self.expected("a number or 'inf' after '-'")
        else:
            raise self.expected("a literal default value (a number, inf, true or false)")
        self.advance()
        return -value if minus is not None else value

    # ------------------------------------------------------------------------ statements
    def statement(self) -> Stmt:
        out = self.name("a tensor name")
        if not self.is_op(self.tok, "["):
            hint = ""
            if self.tok.kind is Kind.NAME:
                hint = _did_you_mean(out.text, (*_DECL_KEYWORDS, "output"))
            raise self.expected(
                f"'[' after the tensor name '{out.text}' (a statement is "
                f"{out.text}[r1, ...] = EXPR; a rank-0 tensor is {out.text}[])",
                hint=hint,
            )
        open_tok = self.advance()
        ranks = self.name_list(
            open_tok,
            f"the index list of '{out.text}'",
            "the left side of a statement lists plain rank names (OUT[r1, r2, ...])",
        )
        dtype = None
        if self.is_op(self.tok, ":"):
            self.advance()
            dtype = self.dtype()
        self.expect_op("=", f" after the left side '{out.text}[...]'")
        reduce, over = self.reduction()
        start = self.tok
        value = self.bounded(self.expr(), start)
        where = None
        if self.is_word(self.tok, "where"):
            self.advance()
            start = self.tok
            where = self.bounded(self.expr(), start)
        self.end_of_line("the statement")
        return Stmt(out.text, ranks, value, reduce, over, where, dtype, loc=out.loc)

    def reduction(self) -> tuple[ReduceOp | None, tuple[str, ...]]:
        """``sum|max|min(r, ...)`` at the start of a statement's value, if there is one."""
        tok = self.tok
        if tok.kind is not Kind.NAME or tok.text not in _REDUCTIONS:
            return None, ()
        if tok.text != "sum" and not self.is_reduction():
            return None, ()
        self.advance()
        open_tok = self.expect_op(
            "(", f" after '{tok.text}' (a reduction is {tok.text}(r1, ...) EXPR)"
        )
        over = self.name_list(
            open_tok,
            f"the ranks of '{tok.text}'",
            f"a reduction lists plain rank names ({tok.text}(r1, r2, ...) EXPR)",
        )
        if not self.starts_expr(self.tok):
            raise self.expected(f"an expression to reduce after '{tok.text}({', '.join(over)})'")
        return _REDUCTIONS[tok.text], over

    def is_reduction(self) -> bool:
        """Whether the ``max``/``min`` at the cursor begins a reduction rather than a call."""
        if not self.is_op(self.peek(), "("):
            return False
        names = 0
        i = self.pos + 2
        tokens = self.tokens
        if not self.is_op(tokens[i], ")"):
            while True:
                tok = tokens[i]
                if tok.kind is not Kind.NAME or tok.text in RESERVED:
                    return False  # an expression inside: a call such as max(X[p], 0.0)
                names += 1
                i += 1
                if self.is_op(tokens[i], ")"):
                    break
                if not self.is_op(tokens[i], ","):
                    return False
                i += 1
        after = tokens[i + 1]
        if self.is_op(after, "-"):
            return names != 2  # max(a, b) - 1 is a call; max(m) -T[p, m] a reduction
        if after.kind in (Kind.NEWLINE, Kind.EOF) or self.is_word(after, "where"):
            return names != 2  # max(m) alone: report the missing value, not the arity
        return self.starts_expr(after)

    # ----------------------------------------------------------------------- expressions
    def expr(self, min_prec: int = PREC_OR) -> Expr:
        """Precedence climbing over the binary operators (printer.BINARY_PREC)."""
        self.enter()
        start = self.tok
        lhs = self.prefix(min_prec)
        compared = False
        while True:
            tok = self.tok
            op = _BINARY_OPS.get(tok.text) if tok.kind in (Kind.OP, Kind.NAME) else None
            if op is None:
                break
            prec = BINARY_PREC[op]
            if prec < min_prec:
                break
            if prec == PREC_CMP and compared:
                raise self.error(
                    f"comparisons do not chain: parenthesise the left side or join two "
                    f"comparisons with 'and' (a < b and b < c), found a second '{tok.text}'",
                    tok.loc,
                )
            compared = prec == PREC_CMP
            self.advance()
            rhs = self.expr(prec + 1)
            lhs = Binary(op, lhs, rhs, loc=start.loc)
        self.depth -= 1
        return lhs

    def prefix(self, min_prec: int) -> Expr:
        tok = self.tok
        if self.is_word(tok, "not"):
            if min_prec > PREC_NOT:
                raise self.error(
                    "'not' binds more loosely than the operator before it; "
                    "parenthesise it: (not ...)",
                    tok.loc,
                )
            self.advance()
            operand = self.expr(PREC_NOT)
            return Unary(UnaryOp.NOT, operand, loc=tok.loc)
        if self.is_op(tok, "-"):
            self.advance()
            self.enter()
            operand = self.prefix(PREC_NEG)
            self.depth -= 1
            result = neg(operand)
            if isinstance(result, Const) and operand.loc and operand.loc.line == tok.loc.line:
                end = operand.loc.col + operand.loc.length
                return replace(result, loc=Loc(tok.loc.line, tok.loc.col, end - tok.loc.col))
            return replace(result, loc=tok.loc)
        return self.atom()

    def atom(self) -> Expr:
        tok = self.tok
        if tok.kind is Kind.NUMBER:
            self.advance()
            assert tok.value is not None
            return Const(tok.value, loc=tok.loc)
        if self.is_op(tok, "("):
            self.advance()
            inner = self.expr()
            self.expect_op(")", f" to close the '(' opened at {tok.loc}")
            return inner
        if tok.kind is not Kind.NAME:
            raise self.expected("an expression")
        word = tok.text
        if word in _LITERALS:
            self.advance()
            return Const(_LITERALS[word], loc=tok.loc)
        if word in _FUNCTIONS:
            return self.call()
        if word == "sum":
            raise self.error(
                "'sum' is a reduction: it may only begin a statement's value "
                "(OUT[r1, ...] = sum(s1, ...) EXPR)",
                tok.loc,
            )
        if word in ("program", "output", *_DECL_KEYWORDS):
            raise self.error(f"'{word}' is a reserved word and cannot be used as a name", tok.loc)
        if word in RESERVED:
            raise self.expected("an expression")
        self.advance()
        if self.is_op(self.tok, "("):
            known = ", ".join(_FUNCTIONS)
            raise self.error(
                f"unknown function '{word}'{_did_you_mean(word, list(_FUNCTIONS))}; known: "
                f"{known} (to read a tensor element write {word}[...])",
                tok.loc,
            )
        if self.is_op(self.tok, "["):
            open_tok = self.advance()
            indices = self.arguments(open_tok, f"the index list of '{word}'")
            return Access(word, indices, loc=tok.loc)
        return Name(word, loc=tok.loc)

    def call(self) -> Call:
        name = self.advance()
        fn = _FUNCTIONS[name.text]
        if not self.is_op(self.tok, "("):
            raise self.expected(f"'(' after the function name '{name.text}'")
        open_tok = self.advance()
        args = self.arguments(open_tok, f"the arguments of '{name.text}'")
        if len(args) != fn.arity:
            hint = ""
            if fn in (Fn.MAX, Fn.MIN):
                hint = (
                    f"; a reduction is written {name.text}(r1, ...) EXPR at the start of a "
                    "statement's value"
                )
            raise self.error(
                f"'{name.text}' takes {_plural(fn.arity, 'argument')}, got {len(args)}{hint}",
                name.loc,
            )
        return Call(fn, args, loc=name.loc)

    def arguments(self, open_tok: Token, what: str) -> tuple[Expr, ...]:
        """Comma-separated expressions up to the bracket that closes ``open_tok``."""
        closer = _CLOSING[open_tok.text]
        items: list[Expr] = []
        if self.is_op(self.tok, closer):
            self.advance()
            return ()
        while True:
            items.append(self.expr())
            if self.is_op(self.tok, ","):
                self.advance()
            elif self.is_op(self.tok, closer):
                self.advance()
                return tuple(items)
            else:
                raise self.expected(
                    f"',' or '{closer}'", f" to close {what} opened at {open_tok.loc}"
                )
