file(REMOVE_RECURSE
  "libxlat86_mmu.a"
)
