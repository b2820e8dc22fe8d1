/* version.h - the release version, printed by --version, status.json and
 * the /metrics build-info line. The Makefile may override it (-DMXS_VERSION). */
#ifndef MXS_VERSION_H
#define MXS_VERSION_H

#ifndef MXS_VERSION
#define MXS_VERSION "0.1.0"
#endif

#endif
