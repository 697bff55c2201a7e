"""Green projects owned by enterprises."""
