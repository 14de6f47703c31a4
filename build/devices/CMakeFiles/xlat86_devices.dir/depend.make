# Empty dependencies file for xlat86_devices.
# This may be replaced when dependencies are built.
