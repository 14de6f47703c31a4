# Runs one roms/fdgeom.asm floppy (cmake -DXLAT86=... -DIMAGE=... -P fdgeom.cmake)
# and prints its COM1 output followed by "status N" (the exit status), so
# that ctest can match both.
execute_process(COMMAND ${XLAT86} -fda ${IMAGE} -snapshot --debug-exit --max-seconds 30
                OUTPUT_VARIABLE out RESULT_VARIABLE st)
execute_process(COMMAND ${CMAKE_COMMAND} -E echo_append "${out}status ${st}\n")
