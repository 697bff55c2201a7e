"""Green-technology trading: listings (the sellers' side) and needs (the buyers' side)."""
