# CMake generated Testfile for 
# Source directory: /work/main/frontend
# Build directory: /work/main/build/frontend
# 
# This file includes the relevant testing commands required for 
# testing this directory and lists subdirectories to be tested as well.
