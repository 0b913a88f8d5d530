"""What a flash kernel computes, in the terms every TVM-based generator takes.

A :class:`FlashSpec` is ``O = softmax(mask(score_mod(Q Kᵀ · scale))) V`` with TVMScript
expression templates as hooks (score modification, mask, K / V loads), the extra tensors
and scalars they read, and :class:`Band` s that classify key tiles. The CPU flash
generator (:mod:`attncc.targets.cpu.flash`) and the WebGPU one
(:mod:`attncc.targets.webgpu.flash`) both take it; :func:`signature` is their shared
calling convention.
"""

from __future__ import annotations

from dataclasses import dataclass

from attncc.errors import LoweringError

__all__ = ["Band", "FlashSpec", "Helper", "Scalar", "Tensor", "fill", "m_is_arg", "signature"]


@dataclass(frozen=True, slots=True)
class Tensor:
    """An extra input tensor a hook reads by ``name``; ``shape`` holds ints or dim names."""

    name: str
    shape: tuple[int | str, ...]
    dtype: str = "float32"


@dataclass(frozen=True, slots=True)
class Scalar:
    """An extra scalar argument (runtime value) a hook or a band reads by ``name``."""

    name: str
    dtype: str = "float32"


@dataclass(frozen=True, slots=True)
class Helper:
    """A tensor the kernel computes before it attends (a helper statement of the program:
    tree ancestors, in-program document ids), read by the hooks by ``name`` like an extra
    tensor but no argument.

    Every point of ``shape`` (ints or dim names) gets ``value``, a TVMScript expression over
    the loop variables ``loops`` (one per dim) of type ``acc``; with ``over`` (loop variable,
    extent) pairs it is a sum of ``value`` over them. ``store`` is the stored text with
    ``{v}`` for the value (or the sum), ``dtype`` the buffer's element type.
    """

    name: str
    shape: tuple[int | str, ...]
    dtype: str
    loops: tuple[str, ...]
    value: str
    acc: str
    store: str = "{v}"
    over: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True, slots=True)
class Band:
    """One interval of keys a query tile ``[p0, p1)`` may see, for tile classification.

    All four fields are TVMScript int32 expressions over ``{p0}``, ``{p1}`` (placeholders),
    ``P``, ``M``, int scalars, extra tensors, and the tile's ``{b}``, ``{g}`` and ``{h}``
    (not with ``pack_gqa``: a tile spans the heads of a group). Keys outside every band must
    be masked for every query row in the tile (the tile is *empty* there and skipped); keys
    in ``[full_lo, full_hi)`` must be unmasked for every row in the tile (a key tile inside
    it is *full*: no predicate is evaluated). Bands are listed in increasing key order; the
    generator clamps them to ``[0, M)`` and makes their key-tile ranges disjoint.
    """

    lo: str
    hi: str
    full_lo: str = "0"
    full_hi: str = "0"


@dataclass(frozen=True, slots=True)
class FlashSpec:
    """What the kernel computes: ``O = softmax(mask(score_mod(Q Kᵀ · scale))) V``.

    Shapes: ``Q[B, H, P, D]``, ``K[B, HK, M, D]``, ``V[B, HK, M, DV]``, ``O[B, H, P, DV]``;
    query head ``h`` reads kv head ``h // (H // HK)``. ``P`` / ``M`` are ints or ``None``
    (symbolic: one build serves every length).

    Hooks are TVMScript expression templates (``str.format`` placeholders):

    * ``score_mod`` over ``{s}`` (the scaled score, float32), ``{b}``, ``{h}``, ``{g}``,
      ``{p}``, ``{m}`` (int32 indices) returns the modified score;
    * ``mask`` over ``{b}``, ``{h}``, ``{g}``, ``{p}``, ``{m}`` returns a bool (True = visible).

    Hooks read extra ``tensors`` (``slopes[{h}]``) and ``scalars`` (``cap``) by name; both
    become kernel arguments after ``q, k, v, o``, tensors first, in declaration order.
    ``bands`` classify key tiles for affine masks (see :class:`Band`); ``None`` treats every
    tile as partial when a mask is present. ``tile_prepass``: the mask has atoms the bands
    cannot classify (document ids, tree masks, ``//`` and ``%`` of indices): a generator
    that can evaluates the mask per tile before attending, to skip empty tiles and unmask
    full ones. A row whose keys are all masked produces 0. ``kv_heads_inner``: the K / V
    hooks read a layout whose head dimension is inside the key position's (a paged NHD
    pool), so a head's keys are short runs far apart (a CPU reads a tile for every head).
    ``q_dtype``: Q's buffer (``float16`` / ``bfloat16`` convert on load); ``o_dtype``: what O
    holds (``float16`` a float16 buffer; ``bfloat16`` values rounded to bfloat16, held in a
    float32 buffer, as the front door returns them). ``lse``: the kernel also writes each
    row's log-sum-exp ``LSE[B, H, P]`` (natural log; 0 for a row with no key, as the
    reference's absent values), an argument right after ``o``. ``helpers``: tensors the
    kernel computes first, in order (:class:`Helper`); hooks read them as tensors.

    ``q_parts`` / ``k_parts``: the QK contraction runs over Q and K concatenated along the
    head dim (MLA: the latent part, then the RoPE part). ``Q`` holds the first
    ``D - sum(widths)`` dims; each ``(tensor, width)`` of ``q_parts`` names an extra tensor
    ``[B, H, P, width]`` that follows, and each ``(template, width)`` of ``k_parts`` its K
    load over ``{b}``, ``{g}``, ``{m}`` and ``{d}`` (counted from the part's start); ``k_load``
    loads the first part.

    ``kv_by_query``: the K / V loads read ``{p}`` too (a top-k gather picks each query's
    keys): every tile of the kernel holds one query (its rows are the heads of a group).

    ``q_map``: a template over ``{q}`` (a Q element as float32) applied as the kernel copies
    its Q tile (a feature map: ``elu(q) + 1`` in linear attention).

    ``weight``: no softmax. A template over ``{s}`` (the modified score, natural units) and
    the index placeholders of ``mask``; the kernel computes ``O = sum(m) weight · V`` over
    the visible keys (sigmoid attention), with no running max; with ``normalized`` divided
    by the sum of the weights (linear attention; a row with no visible key gives 0).

    Load hooks replace the K and V buffers (dequantisation, paged caches, other layouts):

    * ``k_load`` over ``{b}``, ``{g}`` (kv head), ``{m}``, ``{d}`` returns ``K[b, g, m, d]``
      as float32; it runs in the K pre-pass (or in the QKᵀ loop with ``k_layout="rows"``);
    * ``v_load`` over ``{b}``, ``{g}``, ``{m}``, ``{f}`` returns ``V[b, g, m, f]``; it runs
      in the PV microkernel (vectorised over ``{f}``).

    A hooked operand is no argument (see :func:`signature`); the hook reads extra tensors.
    Keys are in ``[0, M)`` whenever a hook runs. Extra tensors' shapes may name symbolic
    dims of their own (``Tensor("PT", ("B", "NPAGES"), "int32")``): each becomes a
    ``T.int32()`` bound by the tensor's shape. When no buffer has an ``M`` dim, ``M`` is
    the last argument.
    """

    B: int | None  # None: symbolic, bound by Q's shape (a CPU build serves every batch)
    H: int
    HK: int
    D: int
    DV: int
    P: int | None = None
    M: int | None = None
    scale: float | None = None
    score_mod: str | None = None
    mask: str | None = None
    bands: tuple[Band, ...] | None = None
    tensors: tuple[Tensor, ...] = ()
    scalars: tuple[Scalar, ...] = ()
    name: str = "flash_attn"
    k_load: str | None = None
    v_load: str | None = None
    tile_prepass: bool = False
    kv_heads_inner: bool = False
    q_dtype: str = "float32"
    o_dtype: str = "float32"
    lse: bool = False
    helpers: tuple[Helper, ...] = ()
    weight: str | None = None
    q_parts: tuple[tuple[str, int], ...] = ()
    k_parts: tuple[tuple[str, int], ...] = ()
    kv_by_query: bool = False
    q_map: str | None = None
    normalized: bool = False


def signature(spec: FlashSpec) -> tuple[str, ...]:
    """The kernel's arguments in call order: ``q``, ``k`` (unless ``k_load``), ``v`` (unless
    ``v_load``), ``o``, ``lse`` (with ``spec.lse``), the extra tensors, the scalars, and
    ``M`` when no buffer binds it."""
    names = ["q"] + (["k"] if spec.k_load is None else []) + (["v"] if spec.v_load is None else [])
    names += ["o", *(["lse"] if spec.lse else [])]
    names += [*(t.name for t in spec.tensors), *(x.name for x in spec.scalars)]
    return (*names, "M") if m_is_arg(spec) else tuple(names)


def m_is_arg(spec: FlashSpec) -> bool:
    """Whether ``M`` is a scalar argument: both K and V hooked and no extra tensor binds it."""
    hooked = spec.k_load is not None and spec.v_load is not None
    return spec.M is None and hooked and not any("M" in t.shape for t in spec.tensors)


def fill(template: str, **names: str) -> str:
    """A hook template with its placeholders replaced (each value parenthesised); an unknown
    placeholder is a :class:`~attncc.errors.LoweringError` naming the ones it may use."""
    try:
        return template.format(**{k: f"({v})" for k, v in names.items()})
    except (KeyError, IndexError, ValueError) as err:
        raise LoweringError(
            f"hook template {template!r} uses an unknown placeholder ({err}); "
            f"expected only {sorted(names)}"
        ) from None
