# Install rules (DESIGN section 7 "Ecosystem"): `cmake --install build --prefix P`
# lays out
#   P/bin/aec                          the compiler (kernel bitcode is embedded)
#   P/share/aec/stdlib                 std/... imports
#   P/<libdir>/libaec_runtime.a, libaec_rt_core.a, P/include/aec/*.h
#   P/<libdir>/libaec_kernels_vw{4,8,16}.a   the prebuilt kernels models link
#   P/<libdir>/cmake/aec/              find_package(aec CONFIG), aec_add_model()
#   P/<libdir>/pkgconfig/aec.pc        pkg-config --cflags --libs aec
# Included from the top-level CMakeLists.txt after every target is defined.
include(CMakePackageConfigHelpers)

install(TARGETS aec RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/stdlib/ DESTINATION ${CMAKE_INSTALL_DATADIR}/aec/stdlib
        FILES_MATCHING PATTERN "*.ae")
install(TARGETS aec_runtime aec_rt_core ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
get_property(AEC_KERNEL_ARCHIVES GLOBAL PROPERTY AEC_KERNEL_ARCHIVES)
install(FILES ${AEC_KERNEL_ARCHIVES} DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/runtime/include/aec DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})

set(AEC_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/aec)
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/aecConfig.cmake.in
  ${CMAKE_BINARY_DIR}/cmake/aecConfig.cmake
  INSTALL_DESTINATION ${AEC_CMAKE_DIR}
  PATH_VARS CMAKE_INSTALL_BINDIR CMAKE_INSTALL_INCLUDEDIR CMAKE_INSTALL_LIBDIR)
write_basic_package_version_file(${CMAKE_BINARY_DIR}/cmake/aecConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_BINARY_DIR}/cmake/aecConfig.cmake
              ${CMAKE_BINARY_DIR}/cmake/aecConfigVersion.cmake
              ${CMAKE_CURRENT_LIST_DIR}/AecAddModel.cmake
        DESTINATION ${AEC_CMAKE_DIR})

# Relocatable: the prefix is found from the .pc file's own folder.
file(RELATIVE_PATH AEC_PC_TO_PREFIX "/p/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/p")
configure_file(${CMAKE_CURRENT_LIST_DIR}/aec.pc.in ${CMAKE_BINARY_DIR}/cmake/aec.pc @ONLY)
install(FILES ${CMAKE_BINARY_DIR}/cmake/aec.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
