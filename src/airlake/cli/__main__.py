"""``python -m airlake.cli``: the same as the ``airlake`` command."""

from airlake.cli import main

main()
