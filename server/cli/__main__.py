"""`python -m server.cli`: the `ereje` command without the console script."""
from server.cli import main

main(prog_name="ereje")
