"""``python -m streamproc`` runs the same CLI as the ``streamproc`` console script."""

from streamproc.cli.main import main

if __name__ == "__main__":
    main()
