"""``python -m greenrong.cli``: the same entry point as the ``greenrong`` script."""

from greenrong.cli import main

if __name__ == "__main__":
    main()
