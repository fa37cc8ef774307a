"""Keyword queries (domain rules, pure): parser, syntax tree, and evaluation.

One query language for subscriptions (`newswire.target`) and the public search
(`newswire.store.public`).

Syntax::

    query   := or
    or      := and ("OR" and)*
    and     := unary (["AND"] unary)*        # juxtaposition means AND
    unary   := "NOT" unary | primary
    primary := "(" or ")" | "quoted phrase" | word

Operators are the upper-case words AND, OR, NOT (lower-case "and" is an ordinary word).
NOT binds tightest, then AND, then OR: ``a OR b NOT c`` is ``a OR (b AND NOT c)``.
A word is a run of characters other than spaces, parentheses and quotes. Quotes are ``"..."``
(also ``“...”``, ``„...“``, ``«...»``, ``「...」``); full-width parentheses work too.

A term (word or phrase) is normalized and tokenized like the text (see `tokens`) and is true
when its tokens occur consecutively in the headline or in the body: whole words, case- and
accent-insensitive; substring matching for CJK and Thai. A word that tokenizes to several
tokens (``e-mobility``, ``東京大学``) is a phrase.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from newswire.domain.errors import NewswireError
from newswire.domain.tokens import SEP, Doc, analyze, term_tokens


class QueryError(NewswireError, ValueError):
    """A query that cannot be parsed; the message names the position (1-based character)."""

    status = 422
    code = "invalid_query"

    def __init__(self, message: str, position: int | None = None) -> None:
        super().__init__(message)
        self.position = position


@dataclass(frozen=True, slots=True)
class Term:
    text: str
    tokens: tuple[str, ...]
    phrase: bool = False

    def __str__(self) -> str:
        return f'"{self.text}"' if self.phrase else self.text


@dataclass(frozen=True, slots=True)
class And:
    children: tuple[Node, ...]

    def __str__(self) -> str:
        return " AND ".join(f"({c})" if isinstance(c, Or) else str(c) for c in self.children)


@dataclass(frozen=True, slots=True)
class Or:
    children: tuple[Node, ...]

    def __str__(self) -> str:
        return " OR ".join(str(c) for c in self.children)


@dataclass(frozen=True, slots=True)
class Not:
    child: Node

    def __str__(self) -> str:
        return f"NOT ({self.child})" if isinstance(self.child, And | Or) else f"NOT {self.child}"


Node = Term | And | Or | Not


@dataclass(frozen=True, slots=True)
class Query:
    """A parsed query: `root` is the syntax tree; str() gives a canonical form."""

    source: str
    root: Node

    def __str__(self) -> str:
        return str(self.root)

    def terms(self) -> list[Term]:
        """Every term, in order of appearance."""
        out: list[Term] = []
        stack: list[Node] = [self.root]
        while stack:
            node = stack.pop()
            if isinstance(node, Term):
                out.append(node)
            elif isinstance(node, Not):
                stack.append(node.child)
            else:
                stack.extend(reversed(node.children))
        return out

    def evaluate(self, doc: Doc) -> bool:
        """True when the query holds for a tokenized text."""
        return _evaluate(self.root, doc)

    def matches(self, headline: str, body: str = "") -> bool:
        """True when the query holds for headline + body (convenience; tokenizes each call)."""
        return self.evaluate(analyze(headline, body))


def _evaluate(node: Node, doc: Doc) -> bool:
    if isinstance(node, Term):
        return doc.has(node.tokens)
    if isinstance(node, And):
        return all(_evaluate(c, doc) for c in node.children)
    if isinstance(node, Or):
        return any(_evaluate(c, doc) for c in node.children)
    return not _evaluate(node.child, doc)


# --- lexer ----------------------------------------------------------------------------------

_QUOTES = {'"': '"', "“": "”", "„": "“", "«": "»", "「": "」", "”": "”"}
_OPEN = "(（"
_CLOSE = ")）"
_OPERATORS = ("AND", "OR", "NOT")
_STARTS_UNARY = ("AND", "NOT", "(", "word", "phrase")

MAX_LENGTH = 4000
"""Longest query text accepted."""
MAX_DEPTH = 32
"""Deepest nesting of parentheses and NOTs accepted."""


@dataclass(frozen=True, slots=True)
class _Tok:
    kind: str  # "(", ")", "AND", "OR", "NOT", "word", "phrase"
    text: str
    pos: int  # 1-based

    def describe(self) -> str:
        if self.kind in ("word", "phrase"):
            shown = f'"{self.text}"' if self.kind == "phrase" else repr(self.text)
            return f"{self.kind} {shown} at character {self.pos}"
        return f"{self.text!r} at character {self.pos}"


_SPACE = re.compile(r"\s+")
_WORD = re.compile("[^\\s" + re.escape(_OPEN + _CLOSE + "".join(_QUOTES)) + "]+")


def _lex(text: str) -> list[_Tok]:
    out: list[_Tok] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i = _SPACE.match(text, i).end()  # type: ignore[union-attr]
        elif ch in _OPEN:
            out.append(_Tok("(", ch, i + 1))
            i += 1
        elif ch in _CLOSE:
            out.append(_Tok(")", ch, i + 1))
            i += 1
        elif ch in _QUOTES:
            ends = [text.find(c, i + 1) for c in {_QUOTES[ch], '"'}]
            j = min((e for e in ends if e >= 0), default=-1)
            if j < 0:
                raise QueryError(f"the quote at character {i + 1} is never closed", i + 1)
            out.append(_Tok("phrase", text[i + 1 : j], i + 1))
            i = j + 1
        else:
            j = _WORD.match(text, i).end()  # type: ignore[union-attr]
            word = text[i:j]
            out.append(_Tok(word if word in _OPERATORS else "word", word, i + 1))
            i = j
    return out


# --- parser ---------------------------------------------------------------------------------


class _Parser:
    def __init__(self, source: str) -> None:
        self.toks = _lex(source)
        self.i = 0
        self.depth = 0

    def nest(self, tok: _Tok) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise QueryError(
                f"{tok.describe()} nests more than {MAX_DEPTH} parentheses or NOTs deep", tok.pos
            )

    def peek(self) -> _Tok | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self) -> _Tok:
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def parse(self) -> Node:
        if not self.toks:
            raise QueryError("the query is empty", None)
        node = self.parse_or()
        tok = self.peek()
        if tok is not None:  # only a stray ")" can stop parse_or early
            raise QueryError(f"{tok.describe()} has no matching '('", tok.pos)
        return node

    def parse_or(self) -> Node:
        children = [self.parse_and()]
        while (tok := self.peek()) is not None and tok.kind == "OR":
            self.take()
            children.append(self.parse_and(after=tok))
        return _flat(Or, children)

    def parse_and(self, after: _Tok | None = None) -> Node:
        children = [self.parse_unary(after)]
        while (tok := self.peek()) is not None and tok.kind in _STARTS_UNARY:
            if tok.kind == "AND":
                self.take()
                children.append(self.parse_unary(after=tok))
            else:
                children.append(self.parse_unary(None))
        return _flat(And, children)

    def parse_unary(self, after: _Tok | None) -> Node:
        tok = self.peek()
        if tok is not None and tok.kind == "NOT":
            self.take()
            self.nest(tok)
            node = Not(self.parse_unary(after=tok))
            self.depth -= 1
            return node
        return self.parse_primary(after)

    def parse_primary(self, after: _Tok | None) -> Node:
        tok = self.peek()
        if tok is None:
            if after is not None:
                raise QueryError(f"{after.describe()} has nothing after it", after.pos)
            raise QueryError("the query ends where a word, phrase or '(' was expected", None)
        if tok.kind in ("word", "phrase"):
            self.take()
            tokens = term_tokens(tok.text)
            if not tokens:
                raise QueryError(f"{tok.describe()} has no letters or digits", tok.pos)
            return Term(tok.text, tokens, phrase=tok.kind == "phrase")
        if tok.kind == "(":
            self.take()
            nxt = self.peek()
            if nxt is not None and nxt.kind == ")":
                raise QueryError(f"the parentheses at character {tok.pos} enclose nothing", tok.pos)
            self.nest(tok)
            node = self.parse_or()
            self.depth -= 1
            close = self.peek()
            if close is None or close.kind != ")":
                raise QueryError(f"the '(' at character {tok.pos} is never closed", tok.pos)
            self.take()
            return node
        # an operator or ')' where an operand belongs
        if after is not None:
            raise QueryError(
                f"{after.describe()} is followed by {tok.describe()}; "
                "expected a word, a quoted phrase or '('",
                tok.pos,
            )
        if tok.kind == ")":
            raise QueryError(f"{tok.describe()} has no matching '('", tok.pos)
        raise QueryError(f"{tok.describe()} has nothing before it", tok.pos)


def _flat(cls: type[And] | type[Or], children: list[Node]) -> Node:
    if len(children) == 1:
        return children[0]
    flat: list[Node] = []
    for child in children:
        if isinstance(child, cls):
            flat.extend(child.children)
        else:
            flat.append(child)
    return cls(tuple(flat))


@lru_cache(maxsize=16384)
def parse_query(text: str) -> Query:
    """Parse a keyword query; raises QueryError naming the position and the problem."""
    if not isinstance(text, str):
        raise QueryError(f"a query is text, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise QueryError(
            f"the query is {len(text)} characters long; at most {MAX_LENGTH} are allowed"
        )
    return Query(text, _Parser(text).parse())


def needle(tokens: tuple[str, ...]) -> str:
    """The substring of `Doc.joined` that marks `tokens` occurring consecutively."""
    return SEP + SEP.join(tokens) + SEP
