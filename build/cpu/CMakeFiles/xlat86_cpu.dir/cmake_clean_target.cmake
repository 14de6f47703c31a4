file(REMOVE_RECURSE
  "libxlat86_cpu.a"
)
