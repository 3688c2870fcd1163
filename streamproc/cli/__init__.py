"""Command-line glue: each subcommand in its own module, all dispatched from :mod:`.main`."""
