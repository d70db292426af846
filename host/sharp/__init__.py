"""SHARP: an adaptable accelerator for recurrent neural networks, host side."""
from .config import HardwareConfig
from .model import LSTM
from .quantized import QuantizedLSTM
from .dispatcher import plan
from .accelerator import Accelerator, RunStats
from .driver import HardwareError, OperationTimeout

__all__ = ["HardwareConfig", "LSTM", "QuantizedLSTM", "plan", "Accelerator", "RunStats",
           "HardwareError", "OperationTimeout"]
