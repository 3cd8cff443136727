"""A year of daily runs: table maintenance, retention per layer, and erasure of a person's rows.

:mod:`~airlake.lifecycle.policy` decides from plain values what to remove;
:mod:`~airlake.lifecycle.maintain` applies it to the tables and files;
:mod:`~airlake.lifecycle.stats` measures the tables' growth; :mod:`~airlake.lifecycle.erasure`
erases a person's rows and writes the audit record.
"""
