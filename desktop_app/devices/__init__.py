"""Camera capture and QR decoding (OpenCV, zxing-cpp, pyzbar); the only package that imports them."""
