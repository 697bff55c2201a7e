"""Matching: ranked suggestions with reasons, and the matches and deals taken up."""
