"""attncc from PyTorch: bring FlexAttention mods unchanged, call attncc like SDPA.

:func:`flex_attention` and :func:`scaled_dot_product_attention` take torch's arguments and
run attncc kernels (cpu, cuda, webgpu); they work inside ``torch.compile(fullgraph=True)``
and ``torch.export`` through the ``attncc::flex_attention`` custom op. :func:`trace` turns
``score_mod`` / ``mask_mod`` into an attncc program (captured tensors become inputs,
captured numbers params) to print, save, tune or export like any other. See docs/torch.md.
"""

from __future__ import annotations

from attncc.torch.flex import flex_attention
from attncc.torch.flex import scaled_dot_product_attention
from attncc.torch.op import cache_info
from attncc.torch.op import clear_cache
from attncc.torch.trace import trace
from attncc.torch.trace import trace_mods

__all__ = [
    "cache_info",
    "clear_cache",
    "flex_attention",
    "scaled_dot_product_attention",
    "trace",
    "trace_mods",
]
