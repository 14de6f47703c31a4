# Empty custom commands generated dependencies file for xlat86_roms.
# This may be replaced when dependencies are built.
