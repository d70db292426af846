"""SHARP: an adaptable accelerator for recurrent neural networks, host side."""
from .config import HardwareConfig
from .fixedpoint import SaturationWarning, TensorQuantization
from .model import GRU, LSTM
from .quantized import QuantizedGRU, QuantizedLSTM, load
from .dispatcher import plan
from .accelerator import Accelerator, RunStats
from .driver import HardwareError, OperationTimeout
from .onnx_import import from_onnx

__all__ = ["HardwareConfig", "LSTM", "GRU", "QuantizedLSTM", "QuantizedGRU", "load",
           "SaturationWarning", "TensorQuantization", "plan", "Accelerator", "RunStats",
           "HardwareError", "OperationTimeout", "from_onnx"]
