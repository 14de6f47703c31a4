file(REMOVE_RECURSE
  "CMakeFiles/xlat86_mmu.dir/memory.cpp.o"
  "CMakeFiles/xlat86_mmu.dir/memory.cpp.o.d"
  "libxlat86_mmu.a"
  "libxlat86_mmu.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang CXX)
  include(CMakeFiles/xlat86_mmu.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
