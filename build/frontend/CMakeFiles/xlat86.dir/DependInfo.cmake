
# Consider dependencies only in project.
set(CMAKE_DEPENDS_IN_PROJECT_ONLY OFF)

# The set of languages for which implicit dependencies are needed:
set(CMAKE_DEPENDS_LANGUAGES
  )

# The set of dependency files which are needed:
set(CMAKE_DEPENDS_DEPENDENCY_FILES
  "/work/main/frontend/main.cpp" "frontend/CMakeFiles/xlat86.dir/main.cpp.o" "gcc" "frontend/CMakeFiles/xlat86.dir/main.cpp.o.d"
  )

# Targets to which this target links.
set(CMAKE_TARGET_LINKED_INFO_FILES
  "/work/main/build/devices/CMakeFiles/xlat86_devices.dir/DependInfo.cmake"
  "/work/main/build/cpu/CMakeFiles/xlat86_cpu.dir/DependInfo.cmake"
  "/work/main/build/mmu/CMakeFiles/xlat86_mmu.dir/DependInfo.cmake"
  )

# Fortran module output directory.
set(CMAKE_Fortran_TARGET_MODULE_DIR "")
