file(REMOVE_RECURSE
  "CMakeFiles/xlat86_devices.dir/iobus.cpp.o"
  "CMakeFiles/xlat86_devices.dir/iobus.cpp.o.d"
  "libxlat86_devices.a"
  "libxlat86_devices.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang CXX)
  include(CMakeFiles/xlat86_devices.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
