file(REMOVE_RECURSE
  "../xlat86"
  "../xlat86.pdb"
  "CMakeFiles/xlat86.dir/main.cpp.o"
  "CMakeFiles/xlat86.dir/main.cpp.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang CXX)
  include(CMakeFiles/xlat86.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
