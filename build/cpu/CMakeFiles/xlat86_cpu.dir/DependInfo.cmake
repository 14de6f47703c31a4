
# Consider dependencies only in project.
set(CMAKE_DEPENDS_IN_PROJECT_ONLY OFF)

# The set of languages for which implicit dependencies are needed:
set(CMAKE_DEPENDS_LANGUAGES
  )

# The set of dependency files which are needed:
set(CMAKE_DEPENDS_DEPENDENCY_FILES
  "/work/main/cpu/decode.cpp" "cpu/CMakeFiles/xlat86_cpu.dir/decode.cpp.o" "gcc" "cpu/CMakeFiles/xlat86_cpu.dir/decode.cpp.o.d"
  "/work/main/cpu/icache.cpp" "cpu/CMakeFiles/xlat86_cpu.dir/icache.cpp.o" "gcc" "cpu/CMakeFiles/xlat86_cpu.dir/icache.cpp.o.d"
  "/work/main/cpu/interp.cpp" "cpu/CMakeFiles/xlat86_cpu.dir/interp.cpp.o" "gcc" "cpu/CMakeFiles/xlat86_cpu.dir/interp.cpp.o.d"
  "/work/main/cpu/interrupts.cpp" "cpu/CMakeFiles/xlat86_cpu.dir/interrupts.cpp.o" "gcc" "cpu/CMakeFiles/xlat86_cpu.dir/interrupts.cpp.o.d"
  "/work/main/cpu/ops/alu.cpp" "cpu/CMakeFiles/xlat86_cpu.dir/ops/alu.cpp.o" "gcc" "cpu/CMakeFiles/xlat86_cpu.dir/ops/alu.cpp.o.d"
  "/work/main/cpu/ops/atomic.cpp" "cpu/CMakeFiles/xlat86_cpu.dir/ops/atomic.cpp.o" "gcc" "cpu/CMakeFiles/xlat86_cpu.dir/ops/atomic.cpp.o.d"
  "/work/main/cpu/ops/bcd.cpp" "cpu/CMakeFiles/xlat86_cpu.dir/ops/bcd.cpp.o" "gcc" "cpu/CMakeFiles/xlat86_cpu.dir/ops/bcd.cpp.o.d"
  "/work/main/cpu/ops/bit.cpp" "cpu/CMakeFiles/xlat86_cpu.dir/ops/bit.cpp.o" "gcc" "cpu/CMakeFiles/xlat86_cpu.dir/ops/bit.cpp.o.d"
  "/work/main/cpu/ops/control.cpp" "cpu/CMakeFiles/xlat86_cpu.dir/ops/control.cpp.o" "gcc" "cpu/CMakeFiles/xlat86_cpu.dir/ops/control.cpp.o.d"
  "/work/main/cpu/ops/move.cpp" "cpu/CMakeFiles/xlat86_cpu.dir/ops/move.cpp.o" "gcc" "cpu/CMakeFiles/xlat86_cpu.dir/ops/move.cpp.o.d"
  "/work/main/cpu/ops/muldiv.cpp" "cpu/CMakeFiles/xlat86_cpu.dir/ops/muldiv.cpp.o" "gcc" "cpu/CMakeFiles/xlat86_cpu.dir/ops/muldiv.cpp.o.d"
  "/work/main/cpu/ops/shift.cpp" "cpu/CMakeFiles/xlat86_cpu.dir/ops/shift.cpp.o" "gcc" "cpu/CMakeFiles/xlat86_cpu.dir/ops/shift.cpp.o.d"
  "/work/main/cpu/ops/stack.cpp" "cpu/CMakeFiles/xlat86_cpu.dir/ops/stack.cpp.o" "gcc" "cpu/CMakeFiles/xlat86_cpu.dir/ops/stack.cpp.o.d"
  "/work/main/cpu/ops/string.cpp" "cpu/CMakeFiles/xlat86_cpu.dir/ops/string.cpp.o" "gcc" "cpu/CMakeFiles/xlat86_cpu.dir/ops/string.cpp.o.d"
  "/work/main/cpu/ops/system.cpp" "cpu/CMakeFiles/xlat86_cpu.dir/ops/system.cpp.o" "gcc" "cpu/CMakeFiles/xlat86_cpu.dir/ops/system.cpp.o.d"
  "/work/main/cpu/segments.cpp" "cpu/CMakeFiles/xlat86_cpu.dir/segments.cpp.o" "gcc" "cpu/CMakeFiles/xlat86_cpu.dir/segments.cpp.o.d"
  "/work/main/cpu/state.cpp" "cpu/CMakeFiles/xlat86_cpu.dir/state.cpp.o" "gcc" "cpu/CMakeFiles/xlat86_cpu.dir/state.cpp.o.d"
  "/work/main/cpu/table.cpp" "cpu/CMakeFiles/xlat86_cpu.dir/table.cpp.o" "gcc" "cpu/CMakeFiles/xlat86_cpu.dir/table.cpp.o.d"
  )

# Targets to which this target links.
set(CMAKE_TARGET_LINKED_INFO_FILES
  "/work/main/build/mmu/CMakeFiles/xlat86_mmu.dir/DependInfo.cmake"
  )

# Fortran module output directory.
set(CMAKE_Fortran_TARGET_MODULE_DIR "")
