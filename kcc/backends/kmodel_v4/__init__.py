"""kmodel v4 (nncase v0.2): format dataclasses and reader."""

from kcc.backends.kmodel_v4.format import KModelV4, Node, Opcode
from kcc.backends.kmodel_v4.reader import read_kmodel_v4

__all__ = ["KModelV4", "Node", "Opcode", "read_kmodel_v4"]
