"""makeR's public support pages behind the QR codes (`makersupport web export`); Qt-free."""
