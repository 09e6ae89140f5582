"""The main window's frame: the page table with its navigation rail, the status bar, the periodic
work and the menus, each in its own module so main_window.py only wires the views together."""
