"""QR codes' modules with zxing-cpp (C++): about 1 ms for a certificate's dense code, where
ReportLab's pure-Python encoder takes 80. Documents draw the modules as vector squares.

zxing-cpp and NumPy are imported on the first code drawn, not when the program starts."""

from __future__ import annotations


def qr_modules(text: str, ec_level: str = "M") -> list[list[bool]]:
    """The code's modules (True for dark), without the quiet zone."""
    import numpy as np
    import zxingcpp

    barcode = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode, ec_level=ec_level)
    image = np.array(zxingcpp.write_barcode_to_image(barcode, scale=1, add_quiet_zones=False))
    return (image < 128).tolist()
