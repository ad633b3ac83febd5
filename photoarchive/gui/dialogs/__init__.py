"""The main window's dialogs: geotag, captions, places, import, settings, preview, problems.

Widgets wire, workers work: long jobs go through `gui.worker`, never on the GUI thread.
"""
