"""Letters to the justice authority, built from the frame zone only."""
