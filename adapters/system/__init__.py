"""Adapters for the local machine: the clock, the data folder."""
