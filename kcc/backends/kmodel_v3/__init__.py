"""kmodel v3: format dataclasses and reader."""

from kcc.backends.kmodel_v3.format import KModelV3, Layer, LayerType
from kcc.backends.kmodel_v3.reader import read_kmodel_v3

__all__ = ["KModelV3", "Layer", "LayerType", "read_kmodel_v3"]
