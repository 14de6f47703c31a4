# Empty dependencies file for xlat86.
# This may be replaced when dependencies are built.
