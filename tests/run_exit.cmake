# Runs a boot floppy that ends through isa-debug-exit
# (cmake -DXLAT86=... -DIMAGE=... [-DARGS=a;b] -P run_exit.cmake) and prints
# its COM1 output followed by "status N" (the exit status), so that a ctest
# regular expression can match both.
execute_process(COMMAND ${XLAT86} -fda ${IMAGE} -snapshot --debug-exit --max-seconds 30 ${ARGS}
                OUTPUT_VARIABLE out RESULT_VARIABLE st)
execute_process(COMMAND ${CMAKE_COMMAND} -E echo_append "${out}status ${st}\n")
