# Compiles bpf/<name>.bpf.c with clang (-target bpf, CO-RE against a vmlinux.h generated at build
# time from the running kernel's BTF) and turns the object into a libbpf skeleton header with
# `bpftool gen skeleton`, so the programs are embedded in the packetscope binary.
find_program(BPF_CLANG NAMES clang-19 clang-16 clang clang-14 REQUIRED)
find_program(BPFTOOL NAMES bpftool PATHS /usr/sbin /sbin REQUIRED)
set(PS_VMLINUX_BTF "/sys/kernel/btf/vmlinux" CACHE FILEPATH "BTF blob vmlinux.h is generated from")
set(PS_BPF_GEN_DIR "${CMAKE_BINARY_DIR}/bpf")
file(MAKE_DIRECTORY "${PS_BPF_GEN_DIR}")

if(CMAKE_SYSTEM_PROCESSOR MATCHES "x86_64|AMD64")
  set(PS_BPF_ARCH x86)
elseif(CMAKE_SYSTEM_PROCESSOR MATCHES "aarch64|arm64")
  set(PS_BPF_ARCH arm64)
else()
  set(PS_BPF_ARCH ${CMAKE_SYSTEM_PROCESSOR})
endif()

# Custom-command outputs are only visible to targets of the same directory, so bpf/CMakeLists.txt
# calls this before its skeletons.
function(ps_bpf_vmlinux)
  add_custom_command(
    OUTPUT "${PS_BPF_GEN_DIR}/vmlinux.h"
    COMMAND "${BPFTOOL}" btf dump file "${PS_VMLINUX_BTF}" format c > "${PS_BPF_GEN_DIR}/vmlinux.h.tmp"
    COMMAND ${CMAKE_COMMAND} -E rename "${PS_BPF_GEN_DIR}/vmlinux.h.tmp" "${PS_BPF_GEN_DIR}/vmlinux.h"
    DEPENDS "${PS_VMLINUX_BTF}"
    COMMENT "Generating vmlinux.h from ${PS_VMLINUX_BTF}"
    VERBATIM)
  add_custom_target(ps_vmlinux DEPENDS "${PS_BPF_GEN_DIR}/vmlinux.h")
endfunction()

set(PS_BPF_CFLAGS -g -O2 -target bpf -D__TARGET_ARCH_${PS_BPF_ARCH} -Wall -Wno-unused-function
    -I${PS_BPF_GEN_DIR} -I${CMAKE_SOURCE_DIR}/bpf -I${CMAKE_SOURCE_DIR}/bpf/include)
if(PACKETSCOPE_WERROR)
  list(APPEND PS_BPF_CFLAGS -Werror)
endif()

# ps_bpf_skeleton(<name>) -> target ps_bpf_<name> providing "<name>.skel.h".
function(ps_bpf_skeleton name)
  set(src "${CMAKE_SOURCE_DIR}/bpf/${name}.bpf.c")
  set(obj "${PS_BPF_GEN_DIR}/${name}.bpf.o")
  set(skel "${PS_BPF_GEN_DIR}/${name}.skel.h")
  file(GLOB_RECURSE bpf_headers CONFIGURE_DEPENDS "${CMAKE_SOURCE_DIR}/bpf/*.h")
  add_custom_command(
    OUTPUT "${obj}"
    COMMAND "${BPF_CLANG}" ${PS_BPF_CFLAGS} -c "${src}" -o "${obj}"
    DEPENDS "${src}" ${bpf_headers} "${PS_BPF_GEN_DIR}/vmlinux.h"
    COMMENT "BPF ${name}.bpf.c"
    VERBATIM)
  add_custom_command(
    OUTPUT "${skel}"
    COMMAND "${BPFTOOL}" gen skeleton "${obj}" name "${name}_bpf" > "${skel}.tmp"
    COMMAND ${CMAKE_COMMAND} -E rename "${skel}.tmp" "${skel}"
    DEPENDS "${obj}"
    COMMENT "Skeleton ${name}.skel.h"
    VERBATIM)
  add_custom_target(ps_bpf_${name}_gen DEPENDS "${skel}")
  add_library(ps_bpf_${name} INTERFACE)
  add_dependencies(ps_bpf_${name} ps_bpf_${name}_gen)
  target_include_directories(ps_bpf_${name} SYSTEM INTERFACE "${PS_BPF_GEN_DIR}" "${CMAKE_SOURCE_DIR}/bpf/include")
  target_link_libraries(ps_bpf_${name} INTERFACE PkgConfig::LIBBPF)
endfunction()
