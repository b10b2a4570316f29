# Read by cpack for each generator (CPACK_PROJECT_CONFIG_FILE, set in cmake/Packaging.cmake).
#
# CPackDeb puts the project-wide summary in front of every component's description, which
# would give kamailio-systemd-modules the daemon's synopsis. Each component sets its own
# description whose first line is its synopsis, so the project-wide one is dropped here.
if(CPACK_GENERATOR STREQUAL "DEB")
  unset(CPACK_PACKAGE_DESCRIPTION_SUMMARY)
endif()
