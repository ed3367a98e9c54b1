"""``python -m headrub``: the same program as the ``headrub`` command."""

from headrub.cli import run

if __name__ == "__main__":
    run()
