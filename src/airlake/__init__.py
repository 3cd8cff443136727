"""airlake."""
