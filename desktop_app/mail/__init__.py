"""The mail adapters: SMTP sending, IMAP fetching, MIME reading and writing.

The only package that imports imapclient, nh3 and charset_normalizer (tests/test_architecture.py);
it never imports Qt, the UI or the database. The services reach it through the ports in
services/mail_ports.py.
"""
