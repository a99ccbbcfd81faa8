"""One module per ``medtwin`` sub-command."""
