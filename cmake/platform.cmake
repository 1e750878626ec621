# platform.cmake: the platform switch, KIRO_PLATFORM = native | portable.
#
# native    (default) each system's own facilities: on Linux the /proc/self/fd re-open,
#           F_SETPIPE_SZ / F_GETPIPE_SZ, sigtimedwait, MSG_NOSIGNAL, /proc thread evidence.
# portable  every Linux-only facility off, so that the road macOS takes is compiled and run on
#           Linux too (PIPE_BUF taken as 512, pipe capacity measured by filling, sigpending +
#           sigwait, ...). Defines KIRO_PLATFORM_PORTABLE=1 for every target; proxy/platform/
#           platform.h turns it into the KIRO_HAVE_* macros the code asks.
# CMake code that picks sources by system reads KIRO_PLATFORM_PROC_EVIDENCE (ON where /proc
# thread evidence is to be used: Linux, native) instead of testing CMAKE_SYSTEM_NAME.
set(KIRO_PLATFORM "native" CACHE STRING "Platform road: native (the system's own) or portable (the macOS road, on any system)")
set_property(CACHE KIRO_PLATFORM PROPERTY STRINGS native portable)

if(KIRO_PLATFORM STREQUAL "portable")
  add_compile_definitions(KIRO_PLATFORM_PORTABLE=1)
  set(KIRO_PLATFORM_PROC_EVIDENCE OFF)
elseif(KIRO_PLATFORM STREQUAL "native")
  if(CMAKE_SYSTEM_NAME STREQUAL "Linux")
    set(KIRO_PLATFORM_PROC_EVIDENCE ON)
  else()
    set(KIRO_PLATFORM_PROC_EVIDENCE OFF)
  endif()
else()
  message(FATAL_ERROR "KIRO_PLATFORM must be native or portable, not '${KIRO_PLATFORM}'")
endif()
message(STATUS "kiro-stall platform road: ${KIRO_PLATFORM} on ${CMAKE_SYSTEM_NAME}")
