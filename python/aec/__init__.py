"""Autoencoders compiled by aec, trained and run on NumPy arrays."""
from ._model import AecError, Model, compile

__all__ = ["AecError", "Model", "compile"]
__version__ = "0.1.0"
