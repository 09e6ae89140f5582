"""Spreadsheet files in and out (adapters of services/import_ports.py): CSV with the standard
library, XLSX with openpyxl. Nothing here knows what a customer or a machine is."""
