"""The `photoarchive` command line: `main` (entry point and argument parsing), one module per
command group, and `output` (text progress and lists).

May import the base, `pipeline` and the capabilities; not the GUI or Qt, except that the `gui`
command (`cli.gui`) starts the desktop application.
"""
