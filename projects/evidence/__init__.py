"""佐证材料: evidence files attached to a self-evaluation, its indicators and fund lines."""
