"""Thin command-line layer over the library: ``wardgate serve|keys|config|demo``."""
