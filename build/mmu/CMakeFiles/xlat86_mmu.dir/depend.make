# Empty dependencies file for xlat86_mmu.
# This may be replaced when dependencies are built.
