"""One module per peakload command; each is a thin layer over the library."""
