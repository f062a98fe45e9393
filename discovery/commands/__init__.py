"""Groups of `discover` subcommands, each a Typer app merged into `discovery.cli.app`."""
