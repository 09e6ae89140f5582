"""makeR Soporte: the support desk of 3D makeR Technologies SAS."""

__version__ = "0.1.0"
