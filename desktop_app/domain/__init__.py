"""The support policy: pure Python, standard library only, no I/O, no clock reads."""
