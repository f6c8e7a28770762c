"""Feature command modules: each module here registers its `duban ...` commands with
`scheduler.cli.main.command(name, arguments)`, and the parser picks them up without editing cli.py."""
