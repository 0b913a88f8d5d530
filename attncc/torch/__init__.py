"""attncc from PyTorch: FlexAttention ``score_mod`` / ``mask_mod`` traced into programs.

:func:`trace` turns mods written for torch's ``flex_attention`` into an attncc program
(captured tensors become inputs, captured numbers params). Still to come (issue 14): the
``flex_attention`` / SDPA front door and the custom op for ``torch.compile``.
"""

from __future__ import annotations

from attncc.torch.trace import trace
from attncc.torch.trace import trace_mods

__all__ = ["trace", "trace_mods"]
