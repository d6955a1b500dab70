"""Pure computation for this module: no Django imports."""
