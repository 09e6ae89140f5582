"""Printable documents (certificates, label sheets) drawn with ReportLab, the only package that imports it."""
