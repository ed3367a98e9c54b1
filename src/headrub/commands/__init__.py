"""One module per group of commands; each is registered in headrub.cli."""
