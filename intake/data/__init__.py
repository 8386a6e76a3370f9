"""Reviewed data files shipped with the application."""
