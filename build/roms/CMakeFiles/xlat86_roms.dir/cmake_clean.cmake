file(REMOVE_RECURSE
  "CMakeFiles/xlat86_roms"
  "hello.bin"
)

# Per-language clean rules from dependency scanning.
foreach(lang )
  include(CMakeFiles/xlat86_roms.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
