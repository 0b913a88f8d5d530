"""Program text → tokens, each with its 1-based line and column.

Hand-written (no regular expressions over user text, never ``eval``) so that every character
the grammar does not know is reported where it stands. Lines are split exactly as
:meth:`str.splitlines` splits them, because :func:`attncc.errors.excerpt` shows the line an
error points at through the same split: line numbers in messages and excerpts always agree.

Newlines end statements, except inside ``( )`` and ``[ ]``, where a statement may continue
on the next line: there the lexer emits no ``NEWLINE`` token. A token that follows such a
skipped line break has ``line_start`` set, so the parser can say "found end of line" when a
bracket was left open.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from attncc.errors import Loc
from attncc.errors import ParseError

__all__ = ["Kind", "Token", "tokenize"]


class Kind(enum.Enum):
    NAME = "name"
    NUMBER = "number"
    OP = "operator"
    NEWLINE = "end of line"
    EOF = "end of input"


@dataclass(frozen=True, slots=True)
class Token:
    kind: Kind
    text: str
    loc: Loc
    value: int | float | None = None  # the literal's value, for NUMBER tokens
    line_start: bool = False  # first token on its physical line

    def describe(self) -> str:
        """How an error message names this token: ``'x'``, ``number 3``, ``end of line``."""
        if self.kind in (Kind.NEWLINE, Kind.EOF):
            return self.kind.value
        if self.kind is Kind.NUMBER:
            return f"number {self.text}"
        return f"'{self.text}'"


_DIGITS = frozenset("0123456789")
_IDENT_START = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_")
_IDENT = _IDENT_START | _DIGITS
_WHITESPACE = frozenset(" \t")
_TWO_CHAR_OPS = frozenset({"<=", ">=", "==", "!="})
_ONE_CHAR_OPS = frozenset("+-*/%<>=,:()[]")
_OPENERS = frozenset("([")
_CLOSERS = frozenset(")]")
_HINTS = {
    "!": " (did you mean '!=' or 'not'?)",
    "&": " (use 'and')",
    "|": " (use 'or')",
    "~": " (use 'not')",
    ";": " (one statement per line)",
    "{": " (indices use '[ ]')",
    "}": " (indices use '[ ]')",
}


def _bad_char(char: str, loc: Loc, source: str) -> ParseError:
    return ParseError(
        f"unexpected character {char!r} (U+{ord(char):04X}){_HINTS.get(char, '')}",
        loc=loc,
        source=source,
    )


def _number(line: str, start: int, lineno: int, source: str) -> tuple[Token, int]:
    """Scan an int (``42``) or a float (``0.5``, ``2.``, ``.5``, ``1e-05``) at ``start``."""
    i = start
    n = len(line)
    while i < n and line[i] in _DIGITS:
        i += 1
    is_float = False
    if i < n and line[i] == ".":
        is_float = True
        i += 1
        while i < n and line[i] in _DIGITS:
            i += 1
    if i < n and line[i] in "eE":
        is_float = True
        j = i + 1
        if j < n and line[j] in "+-":
            j += 1
        if j >= n or line[j] not in _DIGITS:
            loc = Loc(lineno, start + 1, j - start)
            raise ParseError(
                f"malformed number '{line[start:j]}': expected digits after the exponent",
                loc=loc,
                source=source,
            )
        i = j
        while i < n and line[i] in _DIGITS:
            i += 1
    text = line[start:i]
    loc = Loc(lineno, start + 1, i - start)
    if i < n and (line[i] in _IDENT or line[i] == "."):
        raise ParseError(
            f"malformed number: unexpected {line[i]!r} right after '{text}'",
            loc=Loc(lineno, i + 1, 1),
            source=source,
        )
    value: int | float
    # Integers are i32: 2**31 itself is allowed so that `-2147483648` can be written.
    if not is_float and (len(text.lstrip("0")) > 10 or int(text) > 2**31):
        raise ParseError(
            f"integer literal {text[:24]}{'...' if len(text) > 24 else ''} does not fit i32, "
            "the language's integer type (at most 2147483647); for a float write it with a "
            "decimal point or an exponent (e.g. 3e9)",
            loc=loc,
            source=source,
        )
    value = float(text) if is_float else int(text)
    return Token(Kind.NUMBER, text, loc, value), i


def tokenize(source: str) -> list[Token]:
    """Split ``source`` into tokens, ending with one ``EOF`` token.

    Raises :class:`ParseError` for a character outside the grammar or a malformed number.
    """
    tokens: list[Token] = []
    depth = 0  # open ( and [ : line breaks inside them do not end the statement
    lines = source.splitlines()
    for lineno, line in enumerate(lines, start=1):
        i = 0
        n = len(line)
        first = True
        while i < n:
            char = line[i]
            if char in _WHITESPACE:
                i += 1
                continue
            if char == "#":
                break
            loc_start = i
            if char in _IDENT_START:
                while i < n and line[i] in _IDENT:
                    i += 1
                token = Token(
                    Kind.NAME, line[loc_start:i], Loc(lineno, loc_start + 1, i - loc_start)
                )
            elif char in _DIGITS or (char == "." and i + 1 < n and line[i + 1] in _DIGITS):
                token, i = _number(line, i, lineno, source)
            elif line[i : i + 2] in _TWO_CHAR_OPS:
                i += 2
                token = Token(Kind.OP, line[loc_start:i], Loc(lineno, loc_start + 1, 2))
            elif char in _ONE_CHAR_OPS:
                i += 1
                token = Token(Kind.OP, char, Loc(lineno, loc_start + 1, 1))
                if char in _OPENERS:
                    depth += 1
                elif char in _CLOSERS and depth > 0:
                    depth -= 1
            else:
                raise _bad_char(char, Loc(lineno, i + 1, 1), source)
            if first:
                token = Token(token.kind, token.text, token.loc, token.value, line_start=True)
                first = False
            tokens.append(token)
        if depth == 0 and tokens and tokens[-1].kind is not Kind.NEWLINE:
            tokens.append(Token(Kind.NEWLINE, "", _after(tokens[-1])))
    if not tokens:
        eof_loc = Loc(1, 1, 1)
    elif tokens[-1].kind is Kind.NEWLINE:
        eof_loc = tokens[-1].loc
    else:
        eof_loc = _after(tokens[-1])
    tokens.append(Token(Kind.EOF, "", eof_loc))
    return tokens


def _after(token: Token) -> Loc:
    """The column just past ``token``: where "end of line" is reported, before any comment."""
    return Loc(token.loc.line, token.loc.col + token.loc.length, 1)
