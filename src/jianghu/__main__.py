"""``python -m jianghu``: the same as the ``jianghu`` command."""

from jianghu.cli import main

main()
