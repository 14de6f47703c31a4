file(REMOVE_RECURSE
  "libxlat86_devices.a"
)
