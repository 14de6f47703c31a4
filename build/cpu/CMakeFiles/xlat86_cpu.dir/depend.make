# Empty dependencies file for xlat86_cpu.
# This may be replaced when dependencies are built.
