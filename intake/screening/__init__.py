"""Screening of stories on this server: crisis signals and identifying details."""
